import type { DriftAnalyzedV1 } from '@driftguard/contracts';

type Analyzed = DriftAnalyzedV1['data'];

const sizeOf = (data: Analyzed) => Buffer.byteLength(JSON.stringify(data), 'utf8');

/**
 * Keeps drift.analyzed under `budgetBytes`: drift.detected fitted the changes to the same budget,
 * and analysis adds its own fields, so a drift at the edge could overflow. The changes carried
 * are cut to the first ones that fit, and `changesTruncated` says how many of how many (the rest
 * are fetched by drift id, as for drift.detected).
 */
export function fitAnalyzedEvent(data: Analyzed, budgetBytes: number): Analyzed {
  const drift = data.drift;
  const changes = drift?.changes;
  if (!drift || !changes || sizeOf(data) <= budgetBytes) return data;
  const total = drift.changesTruncated?.total ?? changes.length;
  const withFirst = (n: number): Analyzed => ({
    ...data,
    drift: {
      ...drift,
      changes: changes.slice(0, n),
      changesTruncated: { total, included: n, ref: { driftEventId: data.driftEventId } },
    },
  });
  // The largest n that fits, by bisection (each probe serializes the event once).
  let lo = 0;
  let hi = changes.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (sizeOf(withFirst(mid)) <= budgetBytes) lo = mid;
    else hi = mid - 1;
  }
  return withFirst(lo);
}
