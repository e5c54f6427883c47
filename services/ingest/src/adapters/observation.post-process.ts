/**
 * Applied to every adapter's observations: ignore rules (a resource rule drops the observation,
 * a path rule drops changes; a modified resource left with no change is in sync) and the
 * totals of what was suppressed.
 */
import type { AdapterOptions, AdapterOutput, Observation, RejectedItem } from '../model/observation.js';

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

/**
 * Builds the adapter output after ignore rules. A scan-wide observation time is carried onto
 * every observation that has none of its own, so each drift knows when it was seen.
 */
export function finishOutput(
  base: Omit<AdapterOutput, 'observations' | 'suppressed'>,
  observations: Observation[],
  opts: AdapterOptions,
): AdapterOutput {
  const r = applyIgnoreRules(observations, opts);
  const at = base.observedAt;
  const stamped =
    at === undefined ? r.observations : r.observations.map((o) => (o.observedAt === undefined ? { ...o, observedAt: at } : o));
  return { ...base, observations: stamped, suppressed: r.suppressed };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * A scanner's observation time as ISO 8601 UTC, or undefined (with a rejected item naming it)
 * when the value is not an RFC 3339 date-time with an offset: the submission time is used then.
 */
export function observedAtOf(v: unknown, path: string, rejected: RejectedItem[]): string | undefined {
  if (v === undefined || v === null) return undefined;
  const ms = typeof v === 'string' && RFC3339.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(ms)) {
    rejected.push({
      path,
      reason: 'not an RFC 3339 date-time with an offset; the submission time stands for the observation time',
    });
    return undefined;
  }
  return new Date(ms).toISOString();
}

/** The latest of several ISO 8601 UTC times (they sort as strings). */
export function latestOf(times: readonly (string | undefined)[]): string | undefined {
  let latest: string | undefined;
  for (const t of times) if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  return latest;
}
