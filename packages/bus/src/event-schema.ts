import { catalog, type EventKey, type EventOf } from '@driftguard/contracts';
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
 * dead-letters it), so it is returned, not thrown.
 */
export function parseEventBody<K extends EventKey>(key: K, body: Uint8Array): EventParse<K> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch (err) {
    return { ok: false, code: 'invalid_json', error: `body is not JSON: ${(err as Error).message}` };
  }
  const result = safeParseEvent(key, json);
  if (result.success) return { ok: true, event: result.data };
  return { ok: false, code: 'contract_violation', error: new ContractError(key, result.error.issues).message };
}

function safeParseEvent<K extends EventKey>(key: K, value: unknown): z.ZodSafeParseResult<EventOf<K>> {
  // The catalog maps K to its schema; TypeScript cannot follow the index through a generic key.
  const schema = catalog[key].schema as unknown as z.ZodType<EventOf<K>>;
  return schema.safeParse(value);
}
