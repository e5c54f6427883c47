export { runJob, JOB_NAMES, MAINTENANCE_JOBS, type JobName, type JobOptions, type JobResult } from './jobs.js';
export {
  createLifecycleScheduler,
  type LifecycleScheduler,
  type LifecycleSchedulerOptions,
  type ScheduledRun,
} from './lifecycle.scheduler.js';
export type { JobContext, LifecycleSettings } from './job-context.js';
export { archiveStoreFrom, type ArchiveStore } from './archive-store.js';
export { verifyArchive, archiveKeys, type AuditArchiveManifest, type AuditArchiveResult } from './audit-archive.job.js';
