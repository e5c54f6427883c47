import { ScanFormat } from '@driftguard/contracts';

/** The formats an ingest scan can be submitted in: the contracts' enum, the one definition. */
export type { ScanFormat };

export const SCAN_FORMATS: readonly ScanFormat[] = ScanFormat.options;

export type ScanFormatErrorCode =
  | 'malformed_json'
  | 'wrong_format'
  | 'invalid_structure'
  | 'too_deep'
  | 'forbidden_key'
  | 'too_large';

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
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
  }
}
