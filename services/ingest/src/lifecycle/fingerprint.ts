import { createHash } from 'node:crypto';
import { canonicalJson } from '../diff/canonical-json.js';
import type { DriftType } from '@driftguard/contracts';
import type { PropertyChange, ResourceRef } from '../model/observation.js';

/**
 * The key that names one resource inside an environment whatever the format reported it:
 * its IaC address when it has one, else its type and physical id (unmanaged resources).
 */
export function resourceKey(ref: ResourceRef): string {
  if (ref.address) return `addr:${ref.address}`;
  if (ref.physicalId) return `phys:${ref.type}:${ref.physicalId}`;
  return `type:${ref.type}:${ref.namespace ?? ''}:${ref.name ?? ''}`;
}

/**
 * Fingerprint of an open drift: environment, resource, drift type, and each changed path with
 * its values (the hash for sensitive ones). Seeing the same fingerprint again updates the open
 * drift; a different one on the same resource is a new drift that supersedes the old.
 */
export function driftFingerprint(
  envId: number,
  ref: ResourceRef,
  type: DriftType,
  changes: readonly PropertyChange[],
  extra = '',
): string {
  const h = createHash('sha256');
  h.update(`${envId}\n${resourceKey(ref)}\n${type}\n${extra}\n`);
  const parts = changes.map((c) =>
    c.sensitive
      ? `${c.path}\t${c.changeType}\t#${c.valueHash ?? ''}`
      : `${c.path}\t${c.changeType}\t${canonicalJson(c.declared)}\t${canonicalJson(c.actual)}`,
  );
  parts.sort();
  for (const p of parts) h.update(`${p}\n`);
  return h.digest('hex');
}
