import { writeLine, type CliContext } from './cli-context.js';
import { describeFailure } from './cli-errors.js';
import { createProgram } from './program.js';

// The one impure file of the CLI: binds the program to this process. Commands load the heavy
// packages (pg, fastify, NATS) only when they run, so telemetry can start first under `dg up`.
const ctx: CliContext = { env: process.env, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), proc: process };

try {
  await createProgram(ctx).parseAsync(process.argv);
} catch (error) {
  const { exitCode, message } = describeFailure(error);
  if (message !== undefined) writeLine(process.stderr, `dg: ${message}`);
  process.exitCode = exitCode;
}
