import type { Command } from 'commander';

/** Everything a command may touch outside itself; `main.ts` fills it from the real process. */
export interface CliContext {
  /** The environment, read only through zod schemas (`parseConfig`). */
  env: Readonly<Record<string, string | undefined>>;
  /** Results (a token, a table): what a script would capture. */
  stdout: NodeJS.WritableStream;
  /** Notes, progress and errors. */
  stderr: NodeJS.WritableStream;
  /** Directory relative paths resolve against (`./.dg-data`). */
  cwd: string;
  /** Signals and exit for long-running commands (`dg up`, `dg <service>`). */
  proc: Pick<NodeJS.Process, 'once' | 'exit'>;
}

/**
 * One group of commands. `register` adds the group's command(s) to the program; actions throw
 * on failure and `main.ts` turns the error into a one-line message and an exit code.
 */
export interface CliCommand {
  register(program: Command, ctx: CliContext): void;
}

/** Writes one line to a stream. */
export function writeLine(stream: NodeJS.WritableStream, line: string): void {
  stream.write(`${line}\n`);
}
