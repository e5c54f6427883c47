import type { ServiceContext, Worker } from '@driftguard/runtime';
import type { ApiConfig } from '../config.js';
import { createLifecycleScheduler } from './lifecycle.scheduler.js';

/** The api's scheduled lifecycle jobs, unless DG_JOBS_ENABLED=false. */
export function startLifecycleJobs(ctx: ServiceContext<ApiConfig>): Worker[] {
  if (!ctx.cfg.DG_JOBS_ENABLED) return [];
  const scheduler = createLifecycleScheduler({
    db: ctx.db,
    settings: ctx.cfg,
    log: ctx.log,
    now: () => new Date(),
    rollupIntervalMs: ctx.cfg.DG_ROLLUP_INTERVAL_MS,
    ignoreCountsIntervalMs: ctx.cfg.DG_IGNORE_COUNTS_INTERVAL_MS,
    maintenanceIntervalMs: ctx.cfg.DG_RETENTION_INTERVAL_MS,
  });
  scheduler.start();
  return [scheduler];
}
