/** @driftguard/dg: the `dg` command. `main.ts` runs it; this entry exposes it to tests and tools. */
export { createProgram } from './program.js';
export { commands } from './commands/index.js';
export { writeLine, type CliCommand, type CliContext } from './cli-context.js';
export { describeFailure, UsageError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cli-errors.js';
