import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { waitUntil } from './loopback.js';

export type PipelineServiceName = 'ingest' | 'analysis' | 'recommender' | 'notifier';

/** An exit the suite did not cause: a crash to report. */
export interface UnexpectedExit {
  service: PipelineServiceName;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One service as its own OS process (`node services/<name>/src/main.ts` under tsx, as
 * `pnpm dg <service>` runs it), on a fixed port across restarts, its output appended to
 * `<dir>/<name>.log`. Exits not asked for by `kill9()` or `stop()` are recorded as crashes.
 */
export interface ServiceProcess {
  name: PipelineServiceName;
  port: number;
  /** How many times it was started. */
  starts(): number;
  start(): Promise<void>;
  /** SIGKILL, and waits for the exit. */
  kill9(): Promise<void>;
  /** SIGTERM, and waits for the exit (SIGKILL after 20 s). */
  stop(): Promise<void>;
}

export function serviceProcess(
  repoRoot: string,
  dir: string,
  name: PipelineServiceName,
  port: number,
  env: Record<string, string>,
  crashes: UnexpectedExit[],
): ServiceProcess {
  let child: ChildProcess | undefined;
  let starts = 0;
  const expected = new WeakSet<ChildProcess>();

  const running = (c: ChildProcess | undefined): c is ChildProcess =>
    c !== undefined && c.exitCode === null && c.signalCode === null;
  const end = async (signal: NodeJS.Signals, graceMs: number) => {
    const c = child;
    if (!running(c)) return;
    expected.add(c);
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  return {
    name,
    port,
    starts: () => starts,
    async start() {
      const logFd = openSync(join(dir, `${name}.log`), 'a');
      const c = spawn(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', resolve(repoRoot, `services/${name}/src/main.ts`)],
        {
          cwd: repoRoot,
          env: { ...process.env, ...env, PORT: String(port), DG_INSTANCE_ID: `${name}-${starts + 1}` },
          stdio: ['ignore', logFd, logFd],
        },
      );
      closeSync(logFd);
      child = c;
      starts++;
      c.once('exit', (code, signal) => {
        if (!expected.has(c)) crashes.push({ service: name, code, signal });
      });
      const outcome = await waitUntil(
        `${name} ready on :${port}`,
        async () => (running(c) ? (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 && 'ready' : 'exited'),
        90_000,
        200,
      );
      if (outcome === 'exited') throw new Error(`${name} exited during start-up; see ${join(dir, `${name}.log`)}`);
    },
    kill9: () => end('SIGKILL', 10_000),
    stop: () => end('SIGTERM', 20_000),
  };
}
