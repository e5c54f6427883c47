/**
 * The one masking walk: a copy of a JSON body in which every secret value is replaced by
 * SENSITIVE_MARKER. A value is secret when its key is named like a secret (secret-names.ts), it
 * is the `value` of a name/value pair whose name is (Kubernetes and ECS `env`, CloudFormation
 * parameters), it sits in a Kubernetes Secret's `data`/`stringData`, it is a copy of a whole
 * manifest (kubectl's last-applied annotation), a declared sensitive path covers it, or it is a
 * string shaped like a secret (secret-shapes.ts). Booleans, null and '' are never masked: they
 * carry no secret, and masking them would hide drift.
 *
 * The walk is iterative, so any depth intake accepts is masked; a body deeper than
 * MAX_MASK_DEPTH is refused (SecretMaskDepthError) rather than stored half-masked.
 */
import { escapePointerSegment, pointerCovers } from '../model/json-pointer.js';
import type { Json } from '../model/observation.js';
import { isSecretName } from './secret-names.js';
import { isSecretShaped } from './secret-shapes.js';

/** What a secret value is stored and published as. The only definition of it. */
export const SENSITIVE_MARKER = '(sensitive)';

/** Deeper than intake ever lets through (MAX_SCAN_DEPTH is 256), with room for wrapping. */
export const MAX_MASK_DEPTH = 4096;

export class SecretMaskDepthError extends Error {
  override readonly name = 'SecretMaskDepthError';
  constructor(readonly path: string) {
    super(`a value nests deeper than ${MAX_MASK_DEPTH} levels at ${path.slice(0, 200)}; it cannot be checked for secrets`);
  }
}

export interface MaskOptions {
  /** JSON pointers whose values are secret (Terraform sensitive attributes, masked pointers). */
  sensitivePaths?: readonly string[];
  /** The body is a Kubernetes Secret even if it does not say so (e.g. a normalized body). */
  secretObject?: boolean;
}

const PAIR_NAME_KEYS = ['name', 'Name', 'key', 'Key', 'ParameterKey', 'OptionName'];
const PAIR_VALUE_KEYS = new Set(['value', 'Value', 'ParameterValue']);
const MANIFEST_COPY_KEY = /last-applied-configuration$/;
const SECRET_DATA_KEYS = new Set(['data', 'stringData']);

/** Whether the value under `key` of `parent` is secret by its key (not by its own shape). */
export function isSecretSlot(
  parent: { readonly [k: string]: unknown } | readonly unknown[],
  key: string,
  secretObject = false,
): boolean {
  if (Array.isArray(parent)) return false;
  if (isSecretName(key) || MANIFEST_COPY_KEY.test(key)) return true;
  const p = parent as { readonly [k: string]: unknown };
  if (isSecretData(p, key, secretObject)) return true;
  if (PAIR_VALUE_KEYS.has(key)) {
    for (const n of PAIR_NAME_KEYS) {
      const name = p[n];
      if (typeof name === 'string' && isSecretName(name)) return true;
    }
  }
  return false;
}

/** `data`/`stringData` of a Kubernetes Secret: every entry's value is secret, its key is not. */
function isSecretData(parent: { readonly [k: string]: unknown }, key: string, secretObject: boolean): boolean {
  return SECRET_DATA_KEYS.has(key) && (secretObject || parent['kind'] === 'Secret');
}

/** A Secret's data map with each value masked and its keys kept (a key added or removed stays visible). */
function maskEntries(data: Json): Json {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return SENSITIVE_MARKER;
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(data)) set(out, k, canCarrySecret(v) ? SENSITIVE_MARKER : v);
  return out;
}

/** Values that can carry a secret at all. */
export function canCarrySecret(v: unknown): boolean {
  return v !== null && v !== undefined && v !== '' && typeof v !== 'boolean';
}

interface Frame {
  src: Json;
  out: { [k: string]: Json } | Json[];
  key: string;
  path: string;
  depth: number;
}

/** Masks `body`; `changed` says whether anything was masked. See the module comment. */
export function maskSecretsIn(body: Json, opts: MaskOptions = {}): { value: Json; changed: boolean } {
  const paths = opts.sensitivePaths ?? [];
  const holder: Json[] = [null];
  let changed = false;
  const stack: Frame[] = [{ src: body, out: holder, key: '0', path: '', depth: 0 }];
  while (stack.length > 0) {
    const f = stack.pop()!;
    let v: Json = f.src;
    if (typeof v === 'string' && isSecretShaped(v)) {
      v = SENSITIVE_MARKER;
      changed = true;
    } else if (v !== null && typeof v === 'object') {
      if (f.depth >= MAX_MASK_DEPTH) throw new SecretMaskDepthError(f.path);
      const secretRoot = f.depth === 0 && opts.secretObject === true;
      const copy: { [k: string]: Json } | Json[] = Array.isArray(v) ? new Array<Json>(v.length).fill(null) : {};
      const entries: [string, Json][] = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
      for (const [k, x] of entries) {
        const p = paths.length > 0 ? `${f.path}/${escapePointerSegment(k)}` : '';
        const secret =
          canCarrySecret(x) && (isSecretSlot(v, k, secretRoot) || (paths.length > 0 && paths.some((s) => pointerCovers(s, p))));
        if (secret) changed = true;
        const masked = secret && !Array.isArray(v) && isSecretData(v, k, secretRoot) ? maskEntries(x) : SENSITIVE_MARKER;
        set(copy, k, secret ? masked : null);
        if (!secret) stack.push({ src: x, out: copy, key: k, path: p, depth: f.depth + 1 });
      }
      v = copy;
    }
    set(f.out, f.key, v);
  }
  return { value: holder[0]!, changed };
}

/** `body` with every secret replaced by SENSITIVE_MARKER (null and undefined pass through). */
export function maskSecrets<T extends Json | null | undefined>(body: T, opts: MaskOptions = {}): T {
  if (body === null || body === undefined) return body;
  return maskSecretsIn(body, opts).value as T;
}

/** True when `value` holds a secret anywhere (by key, pair, shape or Secret data). */
export function holdsSecret(value: Json | undefined, opts: MaskOptions = {}): boolean {
  if (value === undefined || value === null) return false;
  return maskSecretsIn(value, opts).changed;
}

function set(container: { [k: string]: Json } | Json[], key: string, value: Json): void {
  if (Array.isArray(container)) container[Number(key)] = value;
  // defineProperty: a key such as "__proto__" is data, never the prototype.
  else Object.defineProperty(container, key, { value, enumerable: true, writable: true, configurable: true });
}
