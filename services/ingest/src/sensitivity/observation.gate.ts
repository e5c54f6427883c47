/**
 * The gate every adapter's observations pass before anything is stored or published: bodies,
 * changes and notes are masked here, whatever the adapter did. Adapters may
 * mask earlier (they know Terraform's sensitive paths); this pass is what guarantees it.
 */
import type { Json, Observation, PropertyChange, RejectedItem, ResourceRef } from '../model/observation.js';
import { parsePointer } from '../model/json-pointer.js';
import { isSecretName } from './secret-names.js';
import { redactSecretShapes } from './secret-shapes.js';
import { holdsSecret, isSecretSlot, maskSecrets, SENSITIVE_MARKER, type MaskOptions } from './secret-mask.js';
import type { ValueHasher } from './value-hash.js';

/** A Kubernetes Secret: its data is secret in every drift type, whatever the body says. */
const secretObjectOf = (ref: ResourceRef): MaskOptions => (ref.kind === 'Secret' ? { secretObject: true } : {});

/** True when the value at `path` is secret by where it sits in either body. */
export function pathIsSecret(path: string, bodies: readonly (Json | null | undefined)[], secretObject = false): boolean {
  const segments = parsePointer(path);
  if (segments.some((s) => isSecretName(s))) return true;
  for (const body of bodies) {
    let node: unknown = body;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      if (node === null || typeof node !== 'object') break;
      if (isSecretSlot(node as { [k: string]: unknown }, seg, secretObject && i === 0)) return true;
      node = Array.isArray(node) ? node[Number(seg)] : (node as { [k: string]: unknown })[seg];
    }
  }
  return false;
}

function guardChange(
  c: PropertyChange,
  bodies: readonly (Json | null)[],
  opts: MaskOptions,
  hasher: ValueHasher,
): PropertyChange {
  const secret =
    c.sensitive || pathIsSecret(c.path, bodies, opts.secretObject === true) || holdsSecret(c.declared) || holdsSecret(c.actual);
  if (!secret) return c;
  return {
    ...c,
    declared: c.declared === undefined ? undefined : SENSITIVE_MARKER,
    actual: c.actual === undefined ? undefined : SENSITIVE_MARKER,
    sensitive: true,
    // The engine's in-memory digest when it masked the change; otherwise hashed from the values here.
    valueHash: c.sensitive && c.valueHash ? hasher.ofDigest(c.valueHash) : hasher.ofPair(c.declared, c.actual),
  };
}

/** The observation with every secret masked; throws SecretMaskDepthError for a body too deep to check. */
export function guardObservation(o: Observation, hasher: ValueHasher): Observation {
  const opts = secretObjectOf(o.resource);
  // The resource reference is its identity (how a drift is found again) and is kept as is: an
  // access key id that names an aws_iam_access_key identifies it; its secret is in the body.
  const resource = o.resource;
  switch (o.kind) {
    case 'modified':
    case 'moved': {
      const bodies = [o.declared, o.actual];
      const changes = o.changes.map((c) => guardChange(c, bodies, opts, hasher));
      return { ...o, resource, declared: maskSecrets(o.declared, opts), actual: maskSecrets(o.actual, opts), changes };
    }
    case 'deleted':
      return { ...o, resource, declared: maskSecrets(o.declared, opts) };
    case 'added':
      return { ...o, resource, actual: maskSecrets(o.actual, opts) };
    case 'not_checked':
      return { ...o, resource, ...(o.reason !== undefined ? { reason: redactSecretShapes(o.reason, SENSITIVE_MARKER) } : {}) };
    case 'in_sync':
      return { ...o, resource };
    default: {
      const never: never = o;
      throw new Error(`unknown observation ${(never as Observation).kind}`);
    }
  }
}

/** Free text that is stored or logged (rejection reasons, alerts, error messages), secret shapes redacted. */
export function guardText(text: string): string {
  return redactSecretShapes(text, SENSITIVE_MARKER);
}

export function guardRejected(items: readonly RejectedItem[]): RejectedItem[] {
  return items.map((r) => ({ path: guardText(r.path), reason: guardText(r.reason) }));
}
