import { daysBefore, type JobContext } from './job-context.js';
import { purgeRolledUpDriftEvents } from './lifecycle.queries.js';

const BATCH = 5_000;

export interface DriftRetentionResult {
  cutoff: string;
  removedDrifts: number;
}

/**
 * Removes resolved drift older than DG_DRIFT_RETENTION_DAYS with its changes, analyses,
 * predictions, recommendations, correlations, operational context and notifications, in
 * batches (one transaction each), and only where the rollup of its days exists. Open drift stays.
 */
export async function runDriftRetention(ctx: JobContext): Promise<DriftRetentionResult> {
  const cutoff = daysBefore(ctx.now(), ctx.settings.DG_DRIFT_RETENTION_DAYS);
  let removedDrifts = 0;
  for (;;) {
    const n = await purgeRolledUpDriftEvents(ctx.db, cutoff, BATCH);
    removedDrifts += n;
    if (n < BATCH) break;
  }
  ctx.log.info({ cutoff, removedDrifts }, 'drift retention done');
  return { cutoff: cutoff.toISOString(), removedDrifts };
}
