/** One failing field of an input, reported as a problem-details extension member. */
export interface FieldError {
  /** JSON Pointer into the input (`/cloud`), or the name of a CLI argument or option. */
  path: string;
  message: string;
}

/** The thing asked for does not exist (or is outside the caller's organization). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  readonly code = 'not_found' as const;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The change would break a uniqueness rule or a state transition (duplicate slug, …). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  constructor(
    message: string,
    readonly code: 'duplicate' | 'conflict' = 'conflict',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Input that passed the wire schema but breaks a domain rule, with the fields at fault. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  readonly code = 'invalid_input' as const;
  constructor(
    message: string,
    readonly errors: readonly FieldError[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
