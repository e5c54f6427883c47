import { runJob, MAINTENANCE_JOBS, type JobName, type JobOptions } from './jobs.js';
import { daysBefore, utcDay, type JobContext } from './job-context.js';

/** Days the maintenance round rolls up again, so a day left half-done by an outage is completed before retention. */
const MAINTENANCE_ROLLUP_DAYS = 7;

/** What the scheduler runs: the rollup, ignore-rule counting, or the maintenance round. */
export type ScheduledRun = 'rollup' | 'ignore-counts' | 'maintenance';

export interface LifecycleSchedulerOptions extends JobContext {
  rollupIntervalMs: number;
  ignoreCountsIntervalMs: number;
  maintenanceIntervalMs: number;
}

export interface LifecycleScheduler {
  start(): void;
  /** Stops scheduling and waits for the job in progress; safe to call twice. */
  stop(): Promise<void>;
  /** Runs the rollup, the ignore-rule counting or the whole maintenance round now; resolves when done. */
  runOnce(which: ScheduledRun): Promise<void>;
}

/**
 * Runs the lifecycle jobs inside the api service: the rollup of yesterday and today every
 * `rollupIntervalMs`, the maintenance round (partitions, rollup of the last week, retention,
 * archive, model pruning) every `maintenanceIntervalMs`, first right after start. Jobs run one at a time per
 * instance; across instances their locks keep each job to one runner. A failing job is logged
 * and the next ones still run.
 */
export function createLifecycleScheduler(options: LifecycleSchedulerOptions): LifecycleScheduler {
  const log = options.log.child({ subsystem: 'api:lifecycle' });
  const ctx: JobContext = { ...options, log };
  const timers = new Set<NodeJS.Timeout>();
  let stopping = false;
  let chain: Promise<void> = Promise.resolve();

  const runJobs = async (jobs: readonly JobName[], options: JobOptions = {}): Promise<void> => {
    for (const job of jobs) {
      if (stopping) return;
      try {
        const outcome = await runJob(ctx, job, options);
        if (outcome.status === 'skipped') log.debug({ job }, 'job running elsewhere; skipped');
      } catch (err) {
        log.error({ err, job }, 'lifecycle job failed');
      }
    }
  };

  // One job at a time: each run queues behind the one in progress.
  const runOnce = (which: ScheduledRun): Promise<void> => {
    chain = chain.then(() =>
      which === 'maintenance'
        ? runJobs(MAINTENANCE_JOBS, { rollup: { from: utcDay(daysBefore(ctx.now(), MAINTENANCE_ROLLUP_DAYS)) } })
        : runJobs([which]),
    );
    return chain;
  };

  const every = (which: ScheduledRun, intervalMs: number, firstDelayMs: number): void => {
    const tick = (delay: number) => {
      if (stopping) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        void runOnce(which).then(() => tick(intervalMs));
      }, delay);
      timer.unref();
      timers.add(timer);
    };
    tick(firstDelayMs);
  };

  return {
    start() {
      if (stopping || timers.size > 0) return;
      every('maintenance', options.maintenanceIntervalMs, 0);
      every('rollup', options.rollupIntervalMs, options.rollupIntervalMs);
      every('ignore-counts', options.ignoreCountsIntervalMs, options.ignoreCountsIntervalMs);
    },
    async stop() {
      stopping = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await chain;
    },
    runOnce,
  };
}
