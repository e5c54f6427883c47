import type { DeclaredFormat } from './declared-resource.js';

export type DeclaredFormatErrorCode =
  | 'malformed_json'
  | 'malformed_yaml'
  | 'invalid_structure'
  | 'wrong_format'
  | 'invalid_encoding'
  | 'too_deep'
  | 'forbidden_key'
  | 'too_large'
  | 'too_many'
  | 'duplicate_key'
  | 'unrepresentable_value';

/**
 * Declared-state input that cannot be read as the format it was given as. Permanent: the same
 * bytes fail the same way. `path` is an RFC 6901 pointer into the input ('' = the whole input;
 * multi-document YAML: `/<document index>`), `line`/`column` (1-based) locate text errors.
 */
export class DeclaredFormatError extends Error {
  override readonly name = 'DeclaredFormatError';
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(
    readonly code: DeclaredFormatErrorCode,
    readonly format: DeclaredFormat,
    readonly path: string,
    message: string,
    options?: { cause?: unknown; line?: number; column?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.line = options?.line;
    this.column = options?.column;
  }
}
