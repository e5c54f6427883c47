/**
 * Applied to every adapter's observations: ignore rules (a resource rule drops the observation,
 * a path rule drops changes; a modified resource left with no change is in sync) and the
 * totals of what was suppressed.
 */
import type { AdapterOptions, AdapterOutput, Observation } from '../model/observation.js';

export function applyIgnoreRules(
  observations: Observation[],
  opts: AdapterOptions,
): { observations: Observation[]; suppressed: NonNullable<AdapterOutput['suppressed']> } {
  const suppressed = { resources: 0, changes: 0 };
  const ignore = opts.ignore;
  if (!ignore) return { observations, suppressed };
  const out: Observation[] = [];
  for (const o of observations) {
    if (ignore.ignoresResource(o.resource)) {
      suppressed.resources++;
      continue;
    }
    if (o.kind !== 'modified' && o.kind !== 'moved') {
      out.push(o);
      continue;
    }
    const changes = o.changes.filter((c) => !ignore.ignoresPath(o.resource, c.path));
    suppressed.changes += o.changes.length - changes.length;
    if (o.kind === 'modified' && changes.length === 0) out.push({ kind: 'in_sync', resource: o.resource });
    else out.push({ ...o, changes });
  }
  return { observations: out, suppressed };
}

/** Builds the adapter output after ignore rules. */
export function finishOutput(
  base: Omit<AdapterOutput, 'observations' | 'suppressed'>,
  observations: Observation[],
  opts: AdapterOptions,
): AdapterOutput {
  const r = applyIgnoreRules(observations, opts);
  return { ...base, observations: r.observations, suppressed: r.suppressed };
}
