import { withOrgScope } from '@driftguard/db';
import { daysBefore, daysBetween, utcDay, type JobContext } from './job-context.js';
import { rollupDay } from './drift-metrics-daily.queries.js';
import { lifecycleOrganizations } from './lifecycle.queries.js';

export interface RollupOptions {
  /** First day (YYYY-MM-DD, UTC); default yesterday. */
  from?: string;
  /** Last day, included; default today. */
  to?: string;
}

export interface RollupResult {
  days: number;
  organizations: number;
  rowsWritten: number;
}

/**
 * Rolls drift up into drift_metrics_daily for each day of the range and each organization
 * (in its row-level-security scope), one transaction per organization and day. Idempotent:
 * a day is recomputed from the raw rows. Days older than the drift retention are only filled
 * in where no row exists, since their raw drift may be gone.
 */
export async function runRollup(ctx: JobContext, options: RollupOptions = {}): Promise<RollupResult> {
  const now = ctx.now();
  const days = daysBetween(options.from ?? utcDay(daysBefore(now, 1)), options.to ?? utcDay(now));
  const frozenBefore = utcDay(daysBefore(now, ctx.settings.DG_DRIFT_RETENTION_DAYS));
  const orgs = await lifecycleOrganizations(ctx.db);
  let rowsWritten = 0;
  for (const orgId of orgs) {
    for (const day of days) {
      rowsWritten += await withOrgScope(ctx.db, orgId, (tx) => rollupDay(tx, orgId, day, day >= frozenBefore));
    }
  }
  ctx.log.info({ from: days[0], to: days.at(-1), organizations: orgs.length, rowsWritten }, 'drift rollup done');
  return { days: days.length, organizations: orgs.length, rowsWritten };
}
