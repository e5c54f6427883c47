import type { z } from 'zod';

/** Codes of the errors the bus raises; translated by the consume wrapper and the HTTP layer. */
export type BusErrorCode = 'contract_violation' | 'permanent_failure' | 'bus_config_invalid' | 'dead_letter_not_found';

/** An event that does not match its catalog schema. The message names every failing path. */
export class ContractError extends Error {
  override readonly name = 'ContractError';
  readonly code = 'contract_violation' satisfies BusErrorCode;

  constructor(
    /** catalog key, e.g. `drift.detected.v1` */
    readonly eventKey: string,
    readonly issues: readonly z.core.$ZodIssue[],
  ) {
    super(`${eventKey} violates its contract: ${describeIssues(issues)}`);
  }
}

/**
 * Thrown by a handler when retrying cannot help (the referenced row is gone for good, the
 * request is semantically invalid). The consume wrapper dead-letters the message at once.
 * Any other error is retried with backoff.
 */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  readonly code = 'permanent_failure' satisfies BusErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Bus or relay settings that cannot work together (detected at start-up). */
export class BusConfigError extends Error {
  override readonly name = 'BusConfigError';
  readonly code = 'bus_config_invalid' satisfies BusErrorCode;
}

/** `replayDeadLetter` was given an id that is not in `dead_letters`. */
export class DeadLetterNotFoundError extends Error {
  override readonly name = 'DeadLetterNotFoundError';
  readonly code = 'dead_letter_not_found' satisfies BusErrorCode;

  constructor(readonly deadLetterId: number) {
    super(`dead letter ${deadLetterId} not found`);
  }
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`).join('; ');
}
