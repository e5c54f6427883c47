import { ConfigError, ConflictError, InvalidInputError, NotFoundError, scrubText } from '@driftguard/runtime/boot';
import { CommanderError } from 'commander';

/** The command line itself is wrong (a malformed argument): exit 2 like other usage errors. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'usage' as const;
}

/**
 * Named errors of @driftguard/db and @driftguard/bus whose messages are written for people.
 * Matched by name: those packages load only when a command needs them (see main.ts).
 */
const EXPECTED_FAILURES = new Set([
  'MigrationError',
  'DeadLetterNotFoundError',
  'SecretError',
  'BusConfigError',
  'PushError',
  'LocalNatsError',
]);

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** How `main.ts` reports an error: exit code, and the one line to print (none when commander already did). */
export function describeFailure(error: unknown): { exitCode: number; message: string | undefined } {
  if (error instanceof CommanderError) {
    const ok = error.code === 'commander.helpDisplayed' || error.code === 'commander.version';
    return { exitCode: ok ? EXIT_OK : EXIT_USAGE, message: undefined };
  }
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof InvalidInputError) {
    return { exitCode: EXIT_USAGE, message: error.message };
  }
  if (
    error instanceof NotFoundError ||
    error instanceof ConflictError ||
    (error instanceof Error && EXPECTED_FAILURES.has(error.name))
  ) {
    return { exitCode: EXIT_FAILURE, message: error.message };
  }
  return { exitCode: EXIT_FAILURE, message: scrubText(messageOf(error)) };
}

/** node-pg reports a refused connection as an AggregateError with an empty message. */
function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return messageOf(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
