import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, openSync, closeSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';

/** NATS could not be reached and `dg up` could not start one: the message says how to get one. */
export class LocalNatsError extends Error {
  override readonly name = 'LocalNatsError';
}

export interface LocalNats {
  /** where the server listens, e.g. `nats://127.0.0.1:4222` */
  url: string;
  /** its JetStream store */
  storeDir: string;
  stop(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin'];

/** Whether something accepts TCP connections at host:port within `timeoutMs`. */
export function answers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Where `dg up` looks for `nats-server`: PATH, then the system directories Debian and Homebrew install to. */
export function natsSearchDirs(path: string | undefined): string[] {
  return [...(path ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
}

/** The first `nats-server` executable in `dirs`. */
export function findNatsServer(dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    const candidate = join(dir, 'nats-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * `dg up`'s NATS: the one at `natsUrl` when it answers; else, when that address is on this host
 * and a `nats-server` is installed, one started here with JetStream storing in `dataDir/nats`
 * (stopped with `dg up`). Otherwise a LocalNatsError saying how to get one.
 */
export async function ensureLocalNats(
  natsUrl: string,
  dataDir: string,
  searchDirs: readonly string[],
): Promise<LocalNats | undefined> {
  const first = natsUrl.split(',')[0]?.trim() ?? '';
  const parsed = new URL(/^[a-z]+:\/\//.test(first) ? first : `nats://${first}`);
  const host = parsed.hostname;
  const port = Number(parsed.port || 4222);
  if (await answers(host, port)) return undefined;
  if (!LOOPBACK.has(host)) {
    throw new LocalNatsError(`nothing answers at NATS_URL ${natsUrl}; start that NATS server or point NATS_URL at one that runs`);
  }
  const binary = findNatsServer(searchDirs);
  if (!binary) {
    throw new LocalNatsError(
      `nothing answers at ${natsUrl} and no nats-server is installed: install it (Debian/Ubuntu: apt install nats-server; ` +
        `other systems: https://docs.nats.io/running-a-nats-service/introduction/installation) or set NATS_URL to a running server with JetStream`,
    );
  }
  const storeDir = join(dataDir, 'nats');
  mkdirSync(storeDir, { recursive: true });
  const logFd = openSync(join(dataDir, 'nats-server.log'), 'a');
  const bind = host === 'localhost' ? '127.0.0.1' : host.replace(/^\[|\]$/g, '');
  const child = spawn(binary, ['-a', bind, '-p', String(port), '-js', '-sd', storeDir], { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + 15_000;
  while (!(await answers(bind, port, 250))) {
    if (exitCode !== undefined || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new LocalNatsError(`${binary} did not start on ${bind}:${port}; see ${join(dataDir, 'nats-server.log')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `nats://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`,
    storeDir,
    async stop() {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
