import type { ContextSource } from '@driftguard/contracts';
import { InvalidInputError, ProblemError } from '@driftguard/runtime';
import type { z } from 'zod';
import { toPointer } from '../model/json-pointer.js';
import { parseJsonText } from '../model/parse-scan-body.js';
import { ScanFormatError } from '../model/scan-format.error.js';
import { CONTEXT_LIMITS } from '../limits.js';

/** Largest context delivery accepted (a CloudTrail log file is the biggest; send it uncompressed). */
export const MAX_CONTEXT_BYTES = CONTEXT_LIMITS.maxContextBytes;
const MAX_CONTEXT_DEPTH = 64;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A payload that does not match its source's format: 422 with the JSON pointers at fault. */
export function payloadProblem(
  source: ContextSource,
  errors: { path: string; message: string }[],
  status = 422,
  code = 'invalid_payload',
): ProblemError {
  const first = errors[0] ?? { path: '', message: 'invalid payload' };
  return new ProblemError(status, code, `${source}: ${first.path === '' ? '/' : first.path}: ${first.message}`, {
    title: `Invalid ${source} payload`,
    extensions: { source, errors },
  });
}

/**
 * The delivery's JSON, through ingest's guarded parser (nesting depth checked before parsing,
 * prototype-polluting keys refused). Unreadable bytes are a 400 naming the position; `base`
 * prefixes the reported pointer when the JSON is text inside another document.
 */
export function readContextJson(source: ContextSource, raw: Buffer, base = ''): unknown {
  if (raw.length === 0)
    throw new InvalidInputError(`${source}: the request body is empty`, [{ path: 'body', message: 'empty' }], {
      code: 'empty_body',
    });
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw payloadProblem(source, [{ path: base, message: 'the body is not valid UTF-8' }], 400, 'malformed_json');
  }
  try {
    return parseJsonText('native', text, MAX_CONTEXT_DEPTH, base);
  } catch (err) {
    if (err instanceof ScanFormatError) throw payloadProblem(source, [{ path: err.path, message: err.message }], 400, err.code);
    throw err;
  }
}

/** `value` checked against `schema`; otherwise a 422 naming each failing JSON pointer (under `base`). */
export function checkPayload<S extends z.ZodType>(source: ContextSource, schema: S, value: unknown, base = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.slice(0, 20).map((issue) => ({
    path: base + toPointer(issue.path.map((p) => (typeof p === 'number' ? p : String(p)))),
    message: issue.message,
  }));
  throw payloadProblem(source, errors);
}
