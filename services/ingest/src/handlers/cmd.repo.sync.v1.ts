import type { Database } from '@driftguard/db';
import { PermanentError, type EventHandler } from '@driftguard/bus';
import { GitSyncError, syncSource } from '../declared/git-sync.js';
import { markRepositoryDue } from '../declared/git-sync.queries.js';
import { findRepository } from '../declared/iac-repositories.queries.js';

export interface CmdRepoSyncDeps {
  /** starts the sync on this instance once the handler returns (the scheduler's requestSync) */
  requestSync(repositoryId: number, orgId: number): void;
}

/**
 * `dg.cmd.repo.sync.v1.<org>.<env>`: a request to re-read a repository from git now. The clone
 * may take minutes, so it does not run in the message's transaction: the handler checks the
 * request (the tenant must own the repository; URL-less repositories are refused
 * for good), marks the repository due in that transaction, so that any instance's next round
 * syncs it should this one stop, and hands it to this instance's scheduler to sync at once.
 */
export function cmdRepoSyncV1(deps: CmdRepoSyncDeps): EventHandler<'cmd.repo.sync.v1', Database> {
  return async (event, { tx, log }) => {
    const { repositoryId } = event.data;
    const repository = await findRepository(tx, repositoryId);
    if (!repository || repository.organizationId !== event.orgId || repository.environmentId !== event.envId) {
      throw new PermanentError(
        `IaC repository ${repositoryId} does not belong to organization ${event.orgId}, environment ${event.envId}`,
      );
    }
    try {
      syncSource(repository);
    } catch (err) {
      if (err instanceof GitSyncError) throw new PermanentError(err.message, { cause: err });
      throw err;
    }
    await markRepositoryDue(tx, repositoryId);
    deps.requestSync(repositoryId, event.orgId);
    log.info({ repositoryId }, 'repository sync requested');
  };
}
