import type { Kysely } from 'kysely';
import type { Database, Keyring } from '@driftguard/db';
import { createOutboundGuard, scrubText, type Logger, type OutboundGuard } from '@driftguard/runtime';
import type { RejectedItem } from './declared-resource.js';
import { checkoutBranch, CheckoutRefusedError, type Checkout } from './git-checkout.js';
import { decryptCredentials, type GitCredentials } from './git-credentials.js';
import { claimSyncWrite, databaseNow, markSyncedAsOf } from './git-sync.queries.js';
import { findRepository, findRepositoryCredentials, type RepositoryForSync } from './iac-repositories.queries.js';
import { replaceDeclaredResources, type ReplaceCounts } from './iac-resources.queries.js';
import { readRepositoryFiles, RepositoryFileError, type FileTool } from './repository-files.js';

export interface GitSyncContext {
  db: Kysely<Database>;
  log: Logger;
  /** decrypts stored credentials; a repository with credentials cannot sync without it */
  keyring?: Keyring | undefined;
  /** parent directory of temporary checkouts (default: the OS temp dir) */
  workDir?: string;
  /** accept `file://` URLs and local paths as repository URLs (DG_REPO_ALLOW_LOCAL, default false) */
  allowLocalRepositories?: boolean;
  /** vets where git connects (default: public addresses only, no exceptions) */
  outbound?: OutboundGuard;
  /** bound on the clone (default two minutes) */
  cloneTimeoutMs?: number;
}

export type GitSyncErrorCode =
  | 'repository_not_found'
  | 'unsupported_tool'
  | 'no_url'
  | 'credentials_unavailable'
  | 'checkout_refused'
  | 'clone_failed'
  | 'unreadable_file';

/** Why a repository could not be synced. `permanent`: the same request will fail the same way. */
export class GitSyncError extends Error {
  override readonly name = 'GitSyncError';

  constructor(
    readonly code: GitSyncErrorCode,
    readonly repositoryId: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get permanent(): boolean {
    return this.code !== 'clone_failed';
  }
}

export type SyncOutcome =
  | {
      status: 'synced';
      repositoryId: number;
      commit: string;
      counts: ReplaceCounts;
      rejected: RejectedItem[];
      warnings: RejectedItem[];
    }
  /** a sync that fetched later (another instance's) wrote first; this older checkout was dropped */
  | { status: 'superseded'; repositoryId: number; commit: string };

export interface SyncOptions {
  /** why: kept in the audit row; a scheduled sync that changed nothing writes none */
  trigger?: 'schedule' | 'command' | 'manual';
}

const DEFAULT_CLONE_TIMEOUT_MS = 120_000;

/**
 * Re-reads a kubernetes or cloudformation repository from git and makes what its branch declares
 * the repository's iac_resources. The clone runs outside any transaction and holds no lock; the
 * write takes the repository's lock only while writing and compares fetch times, so of two
 * instances syncing at once the later fetch wins and an older checkout never replaces a newer
 * one. Credentials are decrypted just before the clone and never logged; the checkout is always
 * removed. Terraform repositories are refused: HCL is not evaluated, their declared state is
 * their state file.
 */
export async function syncRepository(ctx: GitSyncContext, repositoryId: number, options: SyncOptions = {}): Promise<SyncOutcome> {
  const trigger = options.trigger ?? 'manual';
  const repository = await findRepository(ctx.db, repositoryId);
  if (!repository) throw new GitSyncError('repository_not_found', repositoryId, `IaC repository ${repositoryId} does not exist`);
  const { tool, url } = syncSource(repository);
  const branch = repository.branch ?? 'main';
  const log = ctx.log.child({ subsystem: 'ingest:git-sync', repositoryId, url: scrubText(url), branch });

  const credentials = await loadCredentials(ctx, repositoryId);
  const fetchedAt = await databaseNow(ctx.db);
  const checkout = await clone(ctx, repositoryId, url, branch, credentials);
  try {
    const files = await readRepositoryFiles(checkout.dir, tool).catch((err: unknown) => {
      if (err instanceof RepositoryFileError) {
        throw new GitSyncError('unreadable_file', repositoryId, `commit ${checkout.commit.slice(0, 12)}: ${err.message}`, {
          cause: err,
        });
      }
      throw err;
    });
    const counts = await ctx.db.transaction().execute(async (tx) => {
      if (!(await claimSyncWrite(tx, repositoryId, fetchedAt))) return undefined;
      const written = await replaceDeclaredResources(tx, repositoryId, files.resources, {
        source: 'git',
        details: { commit: checkout.commit, branch, trigger, files: files.files, rejected: files.rejected.length },
        auditUnchanged: trigger !== 'schedule',
      });
      await markSyncedAsOf(tx, repositoryId, fetchedAt);
      return written;
    });
    if (counts === undefined) {
      log.info({ commit: checkout.commit }, 'a later sync of the repository wrote first; this checkout is dropped');
      return { status: 'superseded', repositoryId, commit: checkout.commit };
    }
    log.info(
      { commit: checkout.commit, ...counts, rejected: files.rejected.length, warnings: files.warnings.length },
      'repository synced',
    );
    for (const warning of files.warnings) log.warn({ path: warning.path }, warning.reason);
    return {
      status: 'synced',
      repositoryId,
      commit: checkout.commit,
      counts,
      rejected: files.rejected,
      warnings: files.warnings,
    };
  } finally {
    await checkout.remove();
  }
}

/**
 * What a git sync of the repository reads, or a permanent GitSyncError when it cannot be synced
 * from git at all (terraform, no URL). Sync commands check it before accepting the request.
 */
export function syncSource(repository: RepositoryForSync): { tool: FileTool; url: string } {
  const tool = fileTool(repository);
  const url = repository.repositoryUrl;
  if (!url) throw new GitSyncError('no_url', repository.id, `IaC repository ${repository.id} has no repository URL to sync from`);
  return { tool, url };
}

function fileTool(repository: RepositoryForSync): FileTool {
  switch (repository.tool) {
    case 'kubernetes':
    case 'cloudformation':
      return repository.tool;
    case 'terraform':
      throw new GitSyncError(
        'unsupported_tool',
        repository.id,
        `IaC repository ${repository.id} is a terraform repository: DriftGuard does not evaluate HCL, so its declared state comes from its state — ` +
          `upload it with \`dg push --declared\` or PUT /v1/repositories/${repository.id}/declared (tfstate or terraform show -json)`,
      );
    default: {
      const unknownTool: never = repository.tool;
      throw new Error(`unknown IaC tool ${String(unknownTool)}`);
    }
  }
}

async function loadCredentials(ctx: GitSyncContext, repositoryId: number): Promise<GitCredentials | undefined> {
  const ciphertext = await findRepositoryCredentials(ctx.db, repositoryId);
  if (ciphertext === null) return undefined;
  if (!ctx.keyring) {
    throw new GitSyncError(
      'credentials_unavailable',
      repositoryId,
      `IaC repository ${repositoryId} has stored credentials but DG_MASTER_KEY is not configured`,
    );
  }
  try {
    return decryptCredentials(ciphertext, ctx.keyring, repositoryId);
  } catch (err) {
    // SecretError messages and parse messages never contain the secret.
    throw new GitSyncError(
      'credentials_unavailable',
      repositoryId,
      `the credentials of IaC repository ${repositoryId} cannot be used: ${(err as Error).message}`,
    );
  }
}

async function clone(
  ctx: GitSyncContext,
  repositoryId: number,
  url: string,
  branch: string,
  credentials: GitCredentials | undefined,
): Promise<Checkout> {
  try {
    return await checkoutBranch({
      url,
      branch,
      ...(credentials ? { credentials } : {}),
      ...(ctx.workDir ? { workDir: ctx.workDir } : {}),
      allowLocal: ctx.allowLocalRepositories ?? false,
      guard: ctx.outbound ?? createOutboundGuard(),
      timeoutMs: ctx.cloneTimeoutMs ?? DEFAULT_CLONE_TIMEOUT_MS,
    });
  } catch (err) {
    // checkoutBranch already stripped credentials from the message and dropped git's own error.
    const code = err instanceof CheckoutRefusedError ? 'checkout_refused' : 'clone_failed';
    throw new GitSyncError(code, repositoryId, `IaC repository ${repositoryId}: ${(err as Error).message}`);
  }
}
