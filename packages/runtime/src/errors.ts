/** One failing field of an input, reported as a problem-details extension member. */
export interface FieldError {
  /** JSON Pointer into the input (`/cloud`), or the name of a CLI argument or option. */
  path: string;
  message: string;
}

export interface ProblemErrorOptions extends ErrorOptions {
  /** Human title of the problem; the HTTP status text otherwise. */
  title?: string;
  /** Extension members of the problem document (`errors`, `format`, `limit`, …). */
  extensions?: Record<string, unknown>;
}

/**
 * An error the one HTTP error handler turns into problem JSON: its `status`, its `code` (which
 * names the problem type `https://driftguard.dev/problems/<code>`) and its message as `detail`.
 * Messages are shown to the caller, so they never carry secrets.
 */
export class ProblemError extends Error {
  override readonly name: string = 'ProblemError';
  readonly title: string | undefined;
  readonly extensions: Record<string, unknown>;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: ProblemErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.title = options.title;
    this.extensions = options.extensions ?? {};
  }
}

/** The thing asked for does not exist (or is outside the caller's organization). */
export class NotFoundError extends ProblemError {
  override readonly name = 'NotFoundError';
  constructor(message: string, options?: ProblemErrorOptions & { code?: string }) {
    super(404, options?.code ?? 'not_found', message, options);
  }
}

/** The change would break a uniqueness rule or a state transition (duplicate slug, …). */
export class ConflictError extends ProblemError {
  override readonly name = 'ConflictError';
  constructor(message: string, code: 'duplicate' | 'conflict' = 'conflict', options?: ProblemErrorOptions) {
    super(409, code, message, options);
  }
}

/** Input that breaks a rule (400), with the fields at fault. */
export class InvalidInputError extends ProblemError {
  override readonly name = 'InvalidInputError';
  constructor(
    message: string,
    readonly errors: readonly FieldError[] = [],
    options?: ProblemErrorOptions & { code?: string },
  ) {
    super(400, options?.code ?? 'invalid_input', message, { ...options, extensions: { ...options?.extensions, errors } });
  }
}

/** Input that is well-formed but cannot be used as what it claims to be (422). */
export class UnprocessableInputError extends ProblemError {
  override readonly name = 'UnprocessableInputError';
  constructor(message: string, code = 'unprocessable_input', options?: ProblemErrorOptions) {
    super(422, code, message, options);
  }
}

/** A request body over one of DriftGuard's limits; `limit` names it (`scan_body_bytes`, …). */
export class PayloadTooLargeError extends ProblemError {
  override readonly name = 'PayloadTooLargeError';
  constructor(
    readonly limit: string,
    readonly max: number,
    message: string,
    options?: ProblemErrorOptions & { code?: string },
  ) {
    super(413, options?.code ?? 'payload_too_large', message, { ...options, extensions: { ...options?.extensions, limit, max } });
  }
}

/** A request body in a media type (or content encoding) the route does not take. */
export class UnsupportedMediaTypeError extends ProblemError {
  override readonly name = 'UnsupportedMediaTypeError';
  constructor(message: string, options?: ProblemErrorOptions) {
    super(415, 'unsupported_media_type', message, options);
  }
}
