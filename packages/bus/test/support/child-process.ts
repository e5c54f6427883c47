import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

export interface Child {
  proc: ChildProcess;
  /** resolves when the script prints `ready` */
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs a TypeScript fixture in its own Node process, as a service would run. */
export function spawnFixture(script: string, env: Record<string, string>): Child {
  const path = fileURLToPath(new URL(`../fixtures/${script}`, import.meta.url));
  const proc = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', path], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready\n')) resolve();
    });
    void exited.then(({ code, signal }) => reject(new Error(`${script} exited (${code ?? signal}) before it was ready`)));
  });
  ready.catch(() => undefined);
  return { proc, ready, exited };
}
