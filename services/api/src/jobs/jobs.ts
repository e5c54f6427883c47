import { runAuditArchive } from './audit-archive.job.js';
import { runDriftRetention } from './drift-retention.job.js';
import type { JobContext } from './job-context.js';
import { runIgnoreCounts } from './ignore-counts.job.js';
import { withJobLock, type JobOutcome } from './job-lock.js';
import { runMlPrune } from './ml-prune.job.js';
import { runAuditPartitions } from './partitions.job.js';
import { runRollup, type RollupOptions } from './rollup.job.js';

/** The lifecycle jobs, by the name `dg jobs run <job>` takes. */
export const JOB_NAMES = ['rollup', 'ignore-counts', 'audit-partitions', 'drift-retention', 'audit-archive', 'ml-prune'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export interface JobOptions {
  rollup?: RollupOptions;
}

/** Every job's result type is plain JSON, printed by the CLI and logged by the scheduler. */
export type JobResult = JobOutcome<object>;

/**
 * Runs one job under its lease: a second run of the same job at the same time (another api
 * instance, or the CLI) returns `skipped` and does nothing.
 */
export async function runJob(jobCtx: JobContext, name: JobName, options: JobOptions = {}): Promise<JobResult> {
  const run = (ctx: JobContext): Promise<object> => {
    switch (name) {
      case 'rollup':
        return runRollup(ctx, options.rollup);
      case 'ignore-counts':
        return runIgnoreCounts(ctx);
      case 'audit-partitions':
        return runAuditPartitions(ctx);
      case 'drift-retention':
        return runDriftRetention(ctx);
      case 'audit-archive':
        return runAuditArchive(ctx);
      case 'ml-prune':
        return runMlPrune(ctx);
      default: {
        const unreachable: never = name;
        throw new Error(`unknown job ${String(unreachable)}`);
      }
    }
  };
  return withJobLock(jobCtx.db, name, () => run(jobCtx), { log: jobCtx.log });
}

/** The maintenance round, in dependency order: partitions ahead, rollup before retention, archive, models. */
export const MAINTENANCE_JOBS: readonly JobName[] = [
  'audit-partitions',
  'rollup',
  'drift-retention',
  'audit-archive',
  'ml-prune',
];
