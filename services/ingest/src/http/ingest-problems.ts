import { InvalidInputError, NotFoundError, PayloadTooLargeError, ProblemError, type ErrorMapper } from '@driftguard/runtime';
import { DeclaredFormatError, type DeclaredFormatErrorCode } from '../declared/declared-format.error.js';
import { RepositoryNotFoundError } from '../declared/iac-resources.queries.js';
import { ScanFormatError, type ScanFormatErrorCode } from '../model/scan-format.error.js';
import type { LimitHit } from '../limits.js';
import { ScanBodyError } from './scan-body.js';

/** HTTP status of each way a scan body can be unreadable; a new code must be placed here. */
const STATUS_OF_FORMAT_ERROR: Record<ScanFormatErrorCode, number> = {
  malformed_json: 400,
  too_deep: 400,
  forbidden_key: 400,
  wrong_format: 422,
  invalid_structure: 422,
  too_large: 413,
  too_many: 422,
  duplicate_key: 400,
  unrepresentable_value: 422,
};

/** HTTP status of each way declared state can be unreadable. */
const STATUS_OF_DECLARED_ERROR: Record<DeclaredFormatErrorCode, number> = {
  malformed_json: 400,
  malformed_yaml: 400,
  invalid_encoding: 400,
  too_deep: 400,
  forbidden_key: 400,
  wrong_format: 422,
  invalid_structure: 422,
  too_large: 413,
  too_many: 422,
  duplicate_key: 400,
  unrepresentable_value: 422,
};

function declaredProblem(err: DeclaredFormatError): ProblemError {
  const where = err.line === undefined ? '' : ` (line ${err.line}${err.column === undefined ? '' : `, column ${err.column}`})`;
  const detail = `${err.format}: ${err.path === '' ? '' : `${err.path}: `}${err.message}${err.message.includes('line') ? '' : where}`;
  const location = err.line === undefined ? {} : { line: err.line, column: err.column };
  return new ProblemError(STATUS_OF_DECLARED_ERROR[err.code], err.code, detail, {
    title: `Invalid ${err.format} declared state`,
    extensions: { format: err.format, errors: [{ path: err.path, message: err.message, ...location }] },
  });
}

/** The bound a problem hit, in the members every 413 carries (`limit` names it, `max` its value). */
function limitMembers(hit: LimitHit | undefined): Record<string, unknown> {
  return hit ? { limit: hit.limit, max: hit.value } : {};
}

/**
 * Ingest's named errors as problems for the one error handler: unreadable scan bodies and
 * declared state (400/413/422 by code, with the format and the pointer at fault), and a
 * repository deleted while its upload was written (404).
 */
export const mapIngestError: ErrorMapper = (err) => {
  if (err instanceof ScanFormatError) {
    if (err.code === 'too_large' && err.limit)
      return new PayloadTooLargeError(err.limit.limit, err.limit.value, err.message, {
        title: `Invalid ${err.format} scan`,
        extensions: { format: err.format },
      });
    return new ProblemError(STATUS_OF_FORMAT_ERROR[err.code], err.code, err.message, {
      title: `Invalid ${err.format} scan`,
      extensions: { format: err.format, ...limitMembers(err.limit), errors: [{ path: err.path, message: err.message }] },
    });
  }
  if (err instanceof ScanBodyError) {
    if (err.code === 'too_large' && err.limit)
      return new PayloadTooLargeError(err.limit.limit, err.limit.value, err.message, { title: 'Unreadable scan body' });
    return new InvalidInputError(err.message, [{ path: 'body', message: err.message }], {
      code: err.code,
      title: 'Unreadable scan body',
    });
  }
  if (err instanceof DeclaredFormatError) return declaredProblem(err);
  if (err instanceof RepositoryNotFoundError)
    return new NotFoundError(`no IaC repository ${err.repositoryId} in your organization`, { code: 'repository_not_found' });
  return undefined;
};
