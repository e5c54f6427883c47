import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitUntil } from './loopback.js';

/**
 * A nats-server with JetStream of the suite's own: a free loopback port, its store in `dir`.
 * `restart()` stops it with SIGTERM (JetStream flushes its store) and starts it again on the same
 * port and store, so streams, consumers and their positions survive as they would in production.
 */
export interface NatsServer {
  url: string;
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startNatsServer(binary: string, dir: string): Promise<NatsServer> {
  const port = await freePort();
  const monitorPort = await freePort();
  const storeDir = join(dir, 'nats');
  mkdirSync(storeDir, { recursive: true });
  let child: ChildProcess | undefined;

  const launch = async () => {
    const logFd = openSync(join(dir, 'nats-server.log'), 'a');
    const args = ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort), '-js', '-sd', storeDir];
    child = spawn(binary, args, { stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    // /healthz answers 200 once JetStream has recovered its streams from the store
    await waitUntil(
      `nats-server on :${port} healthy`,
      async () => (await fetch(`http://127.0.0.1:${monitorPort}/healthz`)).ok,
      30_000,
    );
  };
  const halt = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    async restart(downMs) {
      await halt();
      await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
    stop: halt,
  };
}
