import { Writable } from 'node:stream';
import { createProgram, describeFailure, type CliContext } from '../../src/index.js';

/** What a `dg` command printed and how it exited. */
export interface DgRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `dg <args>` in this process as the binary would (same program, same failure text and exit
 * codes), with `env` as its whole environment and `cwd` as its directory, capturing its output.
 */
export async function runDg(args: string[], env: Record<string, string | undefined>, cwd = process.cwd()): Promise<DgRun> {
  const out = { stdout: '', stderr: '' };
  const sink = (key: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        out[key] += chunk.toString('utf8');
        done();
      },
    });
  const ctx: CliContext = { env, stdout: sink('stdout'), stderr: sink('stderr'), cwd, proc: process };
  let code = 0;
  try {
    await createProgram(ctx)
      .exitOverride()
      .parseAsync(['node', 'dg', ...args]);
  } catch (error) {
    const failure = describeFailure(error);
    if (failure.message !== undefined) out.stderr += `dg: ${failure.message}\n`;
    code = failure.exitCode;
  }
  return { code, ...out };
}
