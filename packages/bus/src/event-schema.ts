import { catalog, decodeUtf8, jsonHazard, tooDeep, type EventKey, type EventOf } from '@driftguard/contracts';
import type { z } from 'zod';
import { ContractError } from './bus.errors.js';

export type EventParse<K extends EventKey> =
  { ok: true; event: EventOf<K> } | { ok: false; code: 'invalid_json' | 'contract_violation'; error: string };

/** Validates a candidate envelope against the catalog entry of `key`; throws ContractError. */
export function validateEvent<K extends EventKey>(key: K, candidate: unknown): EventOf<K> {
  const result = safeParseEvent(key, candidate);
  if (!result.success) throw new ContractError(key, result.error.issues);
  return result.data;
}

/**
 * Parses a message body received for `key`. A failure is an expected outcome (the wrapper
 * dead-letters it), so it is returned, not thrown. Bytes that are not UTF-8 are not JSON; a
 * body nested too deep or holding what no table can keep (NUL, lone surrogates, prototype keys)
 * breaks the contract even where the schema would let it through.
 */
export function parseEventBody<K extends EventKey>(key: K, body: Uint8Array): EventParse<K> {
  const decoded = decodeUtf8(body);
  if (!decoded.ok) return { ok: false, code: 'invalid_json', error: `body is not JSON: ${decoded.hazard.message}` };
  const deep = tooDeep(decoded.text);
  if (deep) return { ok: false, code: 'contract_violation', error: `${key}: ${deep.message}` };
  let json: unknown;
  try {
    json = JSON.parse(decoded.text);
  } catch (err) {
    return { ok: false, code: 'invalid_json', error: `body is not JSON: ${(err as Error).message}` };
  }
  const hazard = jsonHazard(json);
  if (hazard) return { ok: false, code: 'contract_violation', error: `${key}: ${hazard.message}` };
  const result = safeParseEvent(key, json);
  if (result.success) return { ok: true, event: result.data };
  return { ok: false, code: 'contract_violation', error: new ContractError(key, result.error.issues).message };
}

function safeParseEvent<K extends EventKey>(key: K, value: unknown): z.ZodSafeParseResult<EventOf<K>> {
  // The catalog maps K to its schema; TypeScript cannot follow the index through a generic key.
  const schema = catalog[key].schema as unknown as z.ZodType<EventOf<K>>;
  return schema.safeParse(value);
}
