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
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  let running: Promise<void> | undefined;

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
      if (stopping) break;
      requested.delete(repositoryId);
      commanded.add(repositoryId);
      await runAsOrg(orgId, () => syncOne(repositoryId, 'command'));
    }
    const due = await findRepositoriesDueForSync(options.db, options.intervalMs, batchSize);
    for (const { repositoryId, orgId } of due) {
      if (stopping) return;
      if (!commanded.has(repositoryId)) await runAsOrg(orgId, () => syncOne(repositoryId, 'schedule'));
    }
  };

  const runOnce = (): Promise<void> => {
    running ??= round()
      .catch((err: unknown) => log.error({ err }, 'repository sync round failed'))
      .finally(() => {
        running = undefined;
        // A command that arrived during the round does not wait for the next interval.
        if (requested.size > 0 && !stopping) void runOnce();
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
    requestSync(repositoryId, orgId) {
      if (stopping) return;
      requested.set(repositoryId, orgId);
      if (running === undefined) void runOnce();
    },
  };
}
