import { PermanentError, type HandlerMeta } from '@driftguard/bus';
import type { EventOf } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import { GitSyncError, syncRepository, type GitSyncContext } from './git-sync.js';
import { findRepository } from './iac-repositories.queries.js';

/** A sync command found the repository being synced by another instance; retried with backoff. */
export class RepositoryBusyError extends Error {
  override readonly name = 'RepositoryBusyError';
  readonly code = 'repository_busy';
}

/**
 * Handler of `cmd.repo.sync.v1`: syncs the repository now, in the message's transaction, so the
 * new declared state and the message's processed mark commit together. The event's tenant must
 * own the repository. Refusals that a retry cannot fix (unknown repository, terraform, no URL,
 * unreadable files, unusable credentials) are permanent; a failed clone and a busy repository
 * are retried.
 */
export function repoSyncHandler(ctx: GitSyncContext) {
  return async (event: EventOf<'cmd.repo.sync.v1'>, meta: Pick<HandlerMeta<Database>, 'tx'>): Promise<void> => {
    const { repositoryId } = event.data;
    const repository = await findRepository(meta.tx, repositoryId);
    if (!repository || repository.organizationId !== event.orgId || repository.environmentId !== event.envId) {
      throw new PermanentError(`IaC repository ${repositoryId} does not belong to organization ${event.orgId}, environment ${event.envId}`);
    }
    let outcome;
    try {
      outcome = await syncRepository(ctx, repositoryId, { tx: meta.tx, trigger: 'command' });
    } catch (err) {
      if (err instanceof GitSyncError && err.permanent) throw new PermanentError(err.message, { cause: err });
      throw err;
    }
    if (outcome.status === 'busy') throw new RepositoryBusyError(`IaC repository ${repositoryId} is being synced by another instance`);
  };
}
