import { ScanFormat } from '@driftguard/contracts';
import type { LimitHit } from '../limits.js';

/** The formats an ingest scan can be submitted in: the contracts' enum, the one definition. */
export type { ScanFormat };

export const SCAN_FORMATS: readonly ScanFormat[] = ScanFormat.options;

export type ScanFormatErrorCode =
  | 'malformed_json'
  | 'wrong_format'
  | 'invalid_structure'
  | 'too_deep'
  | 'forbidden_key'
  | 'too_large'
  /** A count bound (resources, changes, JSON containers) was passed; `limit` names it. */
  | 'too_many'
  /** A key appears twice in one object; JSON leaves the meaning open, so it is refused. */
  | 'duplicate_key'
  /** A value PostgreSQL jsonb, JSON or the contracts cannot hold (NUL, lone surrogate, 1e400). */
  | 'unrepresentable_value';

/**
 * A scan body that cannot be read as the format it was sent as. Permanent: resending the same
 * bytes fails the same way. `path` is an RFC 6901 pointer into the input ('' = the whole body).
 */
export class ScanFormatError extends Error {
  override readonly name = 'ScanFormatError';
  readonly code: ScanFormatErrorCode;

  constructor(
    code: ScanFormatErrorCode,
    readonly format: ScanFormat,
    readonly path: string,
    message: string,
    options?: { cause?: unknown; limit?: LimitHit },
  ) {
    super(message, options);
    this.code = code;
    if (options?.limit) this.limit = options.limit;
  }

  /** The bound that was passed, for `too_large` / `too_many`. */
  readonly limit?: LimitHit;
}
