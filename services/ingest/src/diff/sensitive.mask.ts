/**
 * Masking of secret values in changes. The value never leaves ingest; a hash of the canonical
 * {declared, actual} pair is kept so a rotated or tampered secret still shows as a change and
 * re-observing the same change yields the same fingerprint.
 */
import type { Json, PropertyChange } from '../model/observation.js';
import { escapePointerSegment, parsePointer, pointerCovers } from '../model/json-pointer.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import { SENSITIVE_KEY_NAMES } from './diff.tables.js';

export const SENSITIVE_MARKER = '(sensitive)';

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

const keyCache = new Map<string, boolean>();

/** Key names repeat across resources: the lower-casing and lookup are cached. */
export function isSensitiveKey(key: string): boolean {
  let r = keyCache.get(key);
  if (r === undefined) {
    r = SENSITIVE_KEY_NAMES.has(key.toLowerCase());
    if (keyCache.size < 10_000) keyCache.set(key, r);
  }
  return r;
}

/** True when a value (e.g. a whole added block) carries a key named like a secret. */
export function containsSensitiveKey(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object' || depth > 32) return false;
  if (Array.isArray(value)) return value.some((v) => containsSensitiveKey(v, depth + 1));
  for (const [k, v] of Object.entries(value)) {
    if (isSensitiveKey(k) && v !== null && v !== '') return true;
    if (containsSensitiveKey(v, depth + 1)) return true;
  }
  return false;
}

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
 * A copy of a whole resource body fit to store: values under a sensitive path, or under a key
 * named like a secret, replaced by the marker. Drift rows keep declared and actual state, and a
 * secret must not reach them even when it is not what changed.
 */
export function maskBody<T extends Json | null | undefined>(body: T, sensitivePaths?: readonly string[]): T {
  if (body === null || body === undefined || typeof body !== 'object') return body;
  return maskAt(body, '', sensitivePaths ?? [], 0) as T;
}

function maskAt(value: Json, path: string, sensitivePaths: readonly string[], depth: number): Json {
  if (value === null || typeof value !== 'object' || depth > 64) return value;
  const child = (key: string, v: Json): Json => {
    const p = `${path}/${escapePointerSegment(key)}`;
    if (v !== null && v !== '' && (isSensitiveKey(key) || sensitivePaths.some((s) => pointerCovers(s, p)))) return SENSITIVE_MARKER;
    return maskAt(v, p, sensitivePaths, depth + 1);
  };
  if (Array.isArray(value)) return value.map((v, i) => child(String(i), v));
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(value)) out[k] = child(k, v);
  return out;
}

/**
 * Pointers of values stored masked (declared state kept at rest holds the marker, never the
 * secret). Such a value is unknown: it cannot be compared, only kept out of what is stored.
 */
export function maskedPointers(body: Json | null | undefined): string[] {
  const out: string[] = [];
  const walk = (v: Json, path: string, depth: number): void => {
    if (v === SENSITIVE_MARKER) out.push(path);
    else if (v !== null && typeof v === 'object' && depth < 64) {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}/${i}`, depth + 1));
      else for (const [k, x] of Object.entries(v)) walk(x, `${path}/${escapePointerSegment(k)}`, depth + 1);
    }
  };
  if (body !== null && body !== undefined) walk(body, '', 0);
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
