import { CauseCategory, type DetectedDriftChange } from '@driftguard/contracts';
import { z } from 'zod';

/** Stable JSON text of a value (object keys sorted), to compare values from events and rows. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Whether a change put a property back to a value it held before: the actual value equals what an
 * earlier drift of the resource declared while the declaration has moved on since (a change of the
 * code undone by hand), or what an earlier drift found (the same drift again: flapping). Masked
 * and truncated values are not compared.
 */
export function revertedToEarlierValue(
  changes: readonly DetectedDriftChange[],
  earlier: readonly { path: string; declared: unknown; actual: unknown }[],
): boolean {
  for (const c of changes) {
    if (c.sensitive || c.actual === undefined || c.truncated?.includes('actual')) continue;
    const actual = canonicalJson(c.actual);
    const declared = canonicalJson(c.declared ?? null);
    for (const e of earlier) {
      if (e.path !== c.path) continue;
      if (e.actual !== null && canonicalJson(e.actual) === actual) return true;
      if (e.declared !== null && canonicalJson(e.declared) === actual && actual !== declared) return true;
    }
  }
  return false;
}

/** The environment's drift history by cause, known causes only. */
export function causeHistory(counts: Record<string, number>): Partial<Record<CauseCategory, number>> {
  const out: Partial<Record<CauseCategory, number>> = {};
  for (const [cause, n] of Object.entries(counts)) {
    const c = CauseCategory.safeParse(cause);
    if (c.success) out[c.data] = n;
  }
  return out;
}

const Metadata = z.looseObject({
  attribution: z
    .looseObject({
      managers: z
        .array(z.looseObject({ manager: z.string(), time: z.string().optional(), paths: z.array(z.string()).optional() }))
        .optional(),
    })
    .optional(),
});

/**
 * The Kubernetes field managers ingest credited with the drifted fields (drift metadata, from the
 * live object's managedFields): those listing a changed path, else all listed.
 */
export function fieldManagersOf(metadata: unknown, paths: readonly string[]): { manager: string; time?: string }[] {
  const parsed = Metadata.safeParse(metadata);
  const managers = parsed.success ? (parsed.data.attribution?.managers ?? []) : [];
  const onPath = managers.filter((m) => m.paths?.some((p) => paths.includes(p)));
  return (onPath.length ? onPath : managers).map((m) => ({ manager: m.manager, ...(m.time ? { time: m.time } : {}) }));
}
