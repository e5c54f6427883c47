import { decodeUtf8, jsonHazard, tooDeep } from '@driftguard/contracts';
import { InvalidInputError } from '../errors.js';

/**
 * Reads a JSON request body strictly, before any schema sees it: bytes that are not UTF-8,
 * nesting deeper than the services allow, NUL (no table can keep it), lone surrogates (not
 * Unicode text) and prototype-polluting keys are refused with a 400 naming what and where.
 * fastify's own parser would replace bad bytes with U+FFFD, let NUL reach PostgreSQL (a 500)
 * and refuse `__proto__` without saying why.
 */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0)
    throw new InvalidInputError('the request body is empty; send a JSON document', [], { code: 'empty_body' });
  const decoded = decodeUtf8(body);
  if (!decoded.ok) throw refused(decoded.hazard.message, 'body', 'invalid_encoding');
  return parseJsonText(decoded.text, 'body');
}

/** The same strict reading of JSON text carried in a field (`where`: `payload`, …). */
export function parseJsonText(text: string, where: string): unknown {
  const deep = tooDeep(text);
  if (deep) throw refused(deep.message, where, 'too_deep');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw refused(`the ${where} is not JSON: ${err instanceof Error ? err.message : String(err)}`, where, 'malformed_json');
  }
  const hazard = jsonHazard(value);
  if (hazard)
    throw refused(
      hazard.message,
      `${where}${hazard.at}`,
      hazard.kind === 'forbidden_key' ? 'forbidden_key' : 'unrepresentable_value',
    );
  return value;
}

function refused(message: string, path: string, code: string): InvalidInputError {
  return new InvalidInputError(message, [{ path, message }], { code });
}
