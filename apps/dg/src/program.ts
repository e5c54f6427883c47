import { Command } from 'commander';
import type { CliContext } from './cli-context.js';
import { commands } from './commands/index.js';

/** The `dg` program with every command of `commands/index.ts`; errors throw instead of exiting. */
export function createProgram(ctx: CliContext): Command {
  const program = new Command('dg')
    .description('DriftGuard: infrastructure drift detection')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void ctx.stdout.write(text),
      writeErr: (text) => void ctx.stderr.write(text),
      // One style for every error line: "dg: <what is wrong>".
      outputError: (text, write) => write(text.replace(/^error: /, 'dg: ')),
    })
    .showSuggestionAfterError(true);
  // Subcommands made with `.command()` inherit exit and output handling from the program.
  for (const command of commands) command.register(program, ctx);
  return program;
}
