/**
 * Masking of secret values in changes. The value never leaves ingest; a hash of the canonical
 * {declared, actual} pair is kept so a rotated or tampered secret still shows as a change and
 * re-observing the same change yields the same fingerprint.
 */
import type { Json, PropertyChange } from '../model/observation.js';
import { escapePointerSegment, parsePointer, pointerCovers } from '../model/json-pointer.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import { holdsSecret, isSecretName, maskSecrets, SENSITIVE_MARKER } from '../sensitivity/index.js';

export { SENSITIVE_MARKER };

/** Covered by (or covering) a declared sensitive path. */
export function underSensitivePath(path: string, sensitivePaths: readonly string[] | undefined): boolean {
  if (sensitivePaths) {
    for (const s of sensitivePaths) if (pointerCovers(s, path) || pointerCovers(path, s)) return true;
  }
  return false;
}

export function isSensitivePath(path: string, sensitivePaths: readonly string[] | undefined): boolean {
  if (underSensitivePath(path, sensitivePaths)) return true;
  if (path === '') return false;
  for (const seg of parsePointer(path)) if (isSensitiveKey(seg)) return true;
  return false;
}

/** A key named like a secret; the rule lives in sensitivity/secret-names.ts. */
export function isSensitiveKey(key: string): boolean {
  return isSecretName(key);
}

/** True when a value (e.g. a whole added block) holds a secret: by key, name/value pair or shape. */
export function containsSensitiveKey(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  return holdsSecret(value as Json);
}

/**
 * In-memory digest of a masked pair; never stored as is: the sensitivity gate keys it with HMAC
 * (sensitivity/value-hash.ts) before a drift is written.
 */
export function sensitiveValueHash(declared: Json | undefined, actual: Json | undefined): string {
  return sha256Hex(canonicalJson({ declared, actual }));
}

export function maskChange(change: PropertyChange): PropertyChange {
  const { declared, actual } = change;
  return {
    ...change,
    declared: declared === undefined ? undefined : SENSITIVE_MARKER,
    actual: actual === undefined ? undefined : SENSITIVE_MARKER,
    sensitive: true,
    valueHash: sensitiveValueHash(declared, actual),
  };
}

/**
 * A copy of a whole resource body fit to store: values under a sensitive path, under a key named
 * like a secret, or shaped like one, replaced by the marker. Drift rows keep declared and actual
 * state, and a secret must not reach them even when it is not what changed.
 */
export function maskBody<T extends Json | null | undefined>(body: T, sensitivePaths?: readonly string[]): T {
  if (body === null || body === undefined) return body;
  return maskSecrets(body, sensitivePaths ? { sensitivePaths } : {});
}

/**
 * Pointers of values stored masked (declared state kept at rest holds the marker, never the
 * secret). Such a value is unknown: it cannot be compared, only kept out of what is stored.
 * Iterative, so any depth is walked.
 */
export function maskedPointers(body: Json | null | undefined): string[] {
  const out: string[] = [];
  if (body === null || body === undefined) return out;
  const stack: [Json, string][] = [[body, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (v === SENSITIVE_MARKER) out.push(path);
    else if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, `${path}/${i}`]));
    else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) stack.push([x, `${path}/${escapePointerSegment(k)}`]);
  }
  return out;
}

/** A copy of `actual` holding the marker wherever `pointers` point, so those values compare equal. */
export function blindAt<T extends Json | null | undefined>(actual: T, pointers: readonly string[]): T {
  if (pointers.length === 0 || actual === null || actual === undefined || typeof actual !== 'object') return actual;
  const copy = structuredClone(actual) as Json;
  for (const pointer of pointers) {
    const segments = parsePointer(pointer);
    let node: Json = copy;
    for (let i = 0; i < segments.length - 1 && node !== null && typeof node === 'object'; i++) {
      node = (Array.isArray(node) ? node[Number(segments[i])] : node[segments[i]!]) ?? null;
    }
    const last = segments[segments.length - 1];
    if (last === undefined || node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      if (Number(last) < node.length) node[Number(last)] = SENSITIVE_MARKER;
    } else if (last in node) node[last] = SENSITIVE_MARKER;
  }
  return copy as T;
}
