import { gunzipSync, gzipSync } from 'node:zlib';
import type { Json } from '../model/observation.js';
import { SCAN_LIMITS } from '../limits.js';
import { maskSecrets, redactSecretShapes, SENSITIVE_MARKER } from '../sensitivity/index.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * A `scan.submitted` message as it may be kept as a dead letter: the scan it carries passes the
 * same secret masking as every observation (names, name/value pairs, shapes), whether sent as
 * JSON, as text or gzip-compressed. A body that cannot be read is not kept at all: nothing that
 * was not checked for secrets is stored.
 */
export function redactScanSubmission(payload: Uint8Array): Uint8Array {
  const envelope = parseJson(decoder.decode(payload));
  if (!isObject(envelope) || !isObject(envelope['data']))
    return encoder.encode(redactSecretShapes(decoder.decode(payload), SENSITIVE_MARKER));
  const data = { ...envelope['data'] };
  if (data['body'] !== undefined) data['body'] = maskedBody(data['body']);
  if (typeof data['bodyBase64Gzip'] === 'string') {
    const text = inflate(data['bodyBase64Gzip']);
    const masked = text === undefined ? SENSITIVE_MARKER : maskedBody(text);
    data['bodyBase64Gzip'] = gzipSync(typeof masked === 'string' ? masked : JSON.stringify(masked)).toString('base64');
  }
  return encoder.encode(JSON.stringify({ ...envelope, data }));
}

/** A JSON body masked in place; a text body parsed as JSON when it is, else its secret shapes redacted. */
function maskedBody(body: Json): Json {
  if (typeof body !== 'string') return maskSecrets(body);
  const parsed = parseJson(body);
  return parsed === undefined ? redactSecretShapes(body, SENSITIVE_MARKER) : JSON.stringify(maskSecrets(parsed));
}

function inflate(base64: string): string | undefined {
  try {
    return gunzipSync(Buffer.from(base64, 'base64'), { maxOutputLength: SCAN_LIMITS.maxInflatedBytes }).toString('utf8');
  } catch {
    return undefined;
  }
}

function parseJson(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
