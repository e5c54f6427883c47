import { withOrgScope } from '@driftguard/db';
import type { JobContext } from './job-context.js';
import { addScanSuppressions } from './ignore-counts.queries.js';
import { lifecycleOrganizations } from './lifecycle.queries.js';

/** Scans counted per transaction. */
const SCANS_PER_BATCH = 500;

export interface IgnoreCountsResult {
  scans: number;
  /** suppressions added, over all rules */
  suppressed: number;
  rules: number;
}

/**
 * Adds what each completed scan's ignore rules suppressed (ingest's per-scan report) to
 * `ignore_rules.suppressed_count`, organization by organization in its row-level-security scope,
 * in batches of scans. Each scan is counted once, however often the job runs.
 */
export async function runIgnoreCounts(ctx: JobContext): Promise<IgnoreCountsResult> {
  const orgs = await lifecycleOrganizations(ctx.db);
  const rules = new Set<string>();
  let scans = 0;
  let suppressed = 0;
  for (const orgId of orgs) {
    for (;;) {
      const batch = await withOrgScope(ctx.db, orgId, (tx) => addScanSuppressions(tx, orgId, SCANS_PER_BATCH));
      scans += batch.scans;
      for (const [ruleId, n] of batch.added) {
        rules.add(`${orgId}:${ruleId}`);
        suppressed += n;
      }
      if (batch.found < SCANS_PER_BATCH) break;
    }
  }
  if (scans > 0) ctx.log.info({ scans, suppressed, rules: rules.size }, 'ignore rule counts added');
  return { scans, suppressed, rules: rules.size };
}
