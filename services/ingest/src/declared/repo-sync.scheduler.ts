import { runAsOrg } from '@driftguard/db';
import { GitSyncError, syncRepository, type GitSyncContext } from './git-sync.js';
import { findRepositoriesDueForSync } from './iac-repositories.queries.js';

export interface RepoSyncSchedulerOptions extends GitSyncContext {
  /** how often to look, and how old a sync may get before the repository is synced again */
  intervalMs: number;
  /** repositories looked at per round (default 100) */
  batchSize?: number;
}

export interface RepoSyncScheduler {
  start(): void;
  /** Stops scheduling and waits for the sync in progress; safe to call twice. */
  stop(): Promise<void>;
  /** Runs one round now (tests); resolves when it is done. */
  runOnce(): Promise<void>;
}

/**
 * Keeps git-backed repositories (kubernetes, cloudformation, with a URL) fresh: every
 * `intervalMs`, syncs, one at a time, those whose last sync is older than `intervalMs` or that
 * never synced. Several instances may run it: a repository another instance is syncing is skipped.
 * A failing repository is logged and tried again next round.
 */
export function createRepoSyncScheduler(options: RepoSyncSchedulerOptions): RepoSyncScheduler {
  const log = options.log.child({ subsystem: 'ingest:repo-sync' });
  const batchSize = options.batchSize ?? 100;
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  let running: Promise<void> | undefined;

  const round = async (): Promise<void> => {
    const due = await findRepositoriesDueForSync(options.db, options.intervalMs, batchSize);
    for (const { repositoryId, orgId } of due) {
      if (stopping) return;
      try {
        const outcome = await runAsOrg(orgId, () => syncRepository(options, repositoryId, { trigger: 'schedule' }));
        if (outcome.status === 'busy') log.debug({ repositoryId }, 'repository is being synced elsewhere; skipped');
      } catch (err) {
        if (!(err instanceof GitSyncError)) throw err;
        log.warn({ repositoryId, code: err.code, reason: err.message }, 'repository sync failed');
      }
    }
  };

  const runOnce = (): Promise<void> => {
    running ??= round()
      .catch((err: unknown) => log.error({ err }, 'repository sync round failed'))
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const schedule = (delayMs: number): void => {
    if (stopping) return;
    timer = setTimeout(() => {
      void runOnce().then(() => schedule(options.intervalMs));
    }, delayMs);
    timer.unref();
  };

  return {
    start() {
      if (timer === undefined && !stopping) schedule(0);
    },
    async stop() {
      stopping = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
    runOnce,
  };
}
