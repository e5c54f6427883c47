import { createRepeatingTask, type RepeatingTask } from '@driftguard/runtime/boot';
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
  /**
   * Syncs the repository of organization `orgId` in a round that starts now (or right after the
   * one in progress), within that organization's row-level-security scope.
   */
  requestSync(repositoryId: number, orgId: number): void;
}

/**
 * Keeps git-backed repositories (any tool, with a URL) fresh: every
 * `intervalMs`, syncs, one at a time, those whose last sync is older than `intervalMs` or that
 * never synced, after any requested by a sync command. Several instances may run it: syncs
 * write under a per-repository lock and an older checkout never replaces a newer one. A failing
 * repository is logged and tried again next round.
 */
export function createRepoSyncScheduler(options: RepoSyncSchedulerOptions): RepoSyncScheduler {
  const log = options.log.child({ subsystem: 'ingest:repo-sync' });
  const batchSize = options.batchSize ?? 100;
  /** repository id → its organization, in request order */
  const requested = new Map<number, number>();

  const syncOne = async (repositoryId: number, trigger: 'schedule' | 'command'): Promise<void> => {
    try {
      const outcome = await syncRepository(options, repositoryId, { trigger });
      if (outcome.status === 'superseded') log.debug({ repositoryId }, 'a newer sync of the repository wrote first');
    } catch (err) {
      if (!(err instanceof GitSyncError)) throw err;
      log.warn({ repositoryId, code: err.code, reason: err.message, trigger }, 'repository sync failed');
    }
  };

  const round = async (): Promise<void> => {
    const commanded = new Set<number>();
    for (const [repositoryId, orgId] of requested) {
      if (task.stopping) break;
      requested.delete(repositoryId);
      commanded.add(repositoryId);
      await runAsOrg(orgId, () => syncOne(repositoryId, 'command'));
    }
    const due = await findRepositoriesDueForSync(options.db, options.intervalMs, batchSize);
    for (const { repositoryId, orgId } of due) {
      if (task.stopping) return;
      if (!commanded.has(repositoryId)) await runAsOrg(orgId, () => syncOne(repositoryId, 'schedule'));
    }
  };

  const task: RepeatingTask<void> = createRepeatingTask({
    round,
    onError: (err) => log.error({ err }, 'repository sync round failed'),
    nextDelayMs: () => options.intervalMs,
    // A command that arrived during the round does not wait for the next interval.
    afterRound: () => {
      if (requested.size > 0) void task.runOnce();
    },
  });

  return {
    start: () => task.start(),
    stop: () => task.stop(),
    runOnce: () => task.runOnce(),
    requestSync(repositoryId, orgId) {
      if (task.stopping) return;
      requested.set(repositoryId, orgId);
      void task.runOnce();
    },
  };
}
