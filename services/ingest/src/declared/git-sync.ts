import type { Kysely } from 'kysely';
import { writeAudit, type Database, type Keyring } from '@driftguard/db';
import { createOutboundGuard, scrubText, type Logger, type OutboundGuard } from '@driftguard/runtime';
import type { RejectedItem } from './declared-resource.js';
import { checkoutBranch, CheckoutRefusedError, type Checkout } from './git-checkout.js';
import { decryptCredentials, type GitCredentials } from './git-credentials.js';
import { claimSyncWrite, databaseNow, markSyncedAsOf } from './git-sync.queries.js';
import { findRepository, findRepositoryCredentials, type RepositoryForSync } from './iac-repositories.queries.js';
import { replaceDeclaredResources, type ReplaceCounts } from './iac-resources.queries.js';
import { replaceSourceFiles, type SourceFileCounts } from './iac-source-files.queries.js';
import { readRepositoryFiles, RepositoryFileError, type FileTool, type RepositoryFilesResult } from './repository-files.js';
import { readTerraformSourcesOffThread } from './terraform-sources.thread.js';

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
  'repository_not_found' | 'no_url' | 'credentials_unavailable' | 'checkout_refused' | 'clone_failed' | 'unreadable_file';

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
      /** the declared resources written; null for terraform, whose declared state comes from state uploads */
      counts: ReplaceCounts | null;
      /** the declaring files kept for diffs */
      sources: SourceFileCounts;
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

/** What a sync reads: the repository's tools with declared state in files, or terraform's `.tf` sources. */
export type SyncTool = FileTool | 'terraform';

/**
 * Re-reads a repository from git. Kubernetes and CloudFormation: what its branch declares becomes
 * the repository's iac_resources. Every tool: the files that declare resources are kept, masked,
 * with what each declares (iac_source_files), so recommendations can diff them; Terraform's
 * declared state still comes from its state (HCL is parsed, never evaluated), so its sync keeps
 * only the `.tf` files. The clone runs outside any transaction and holds no lock; the write takes
 * the repository's lock only while writing and compares fetch times, so of two instances syncing
 * at once the later fetch wins and an older checkout never replaces a newer one. Credentials are
 * decrypted just before the clone and never logged; the checkout is always removed.
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
    const files = await readCheckout(checkout.dir, tool).catch((err: unknown) => {
      if (err instanceof RepositoryFileError) {
        throw new GitSyncError('unreadable_file', repositoryId, `commit ${checkout.commit.slice(0, 12)}: ${err.message}`, {
          cause: err,
        });
      }
      throw err;
    });
    const written = await ctx.db.transaction().execute(async (tx) => {
      if (!(await claimSyncWrite(tx, repositoryId, fetchedAt))) return undefined;
      const details = { commit: checkout.commit, branch, trigger, files: files.files, rejected: files.rejected.length };
      const counts =
        tool === 'terraform'
          ? null
          : await replaceDeclaredResources(tx, repositoryId, files.resources, {
              source: 'git',
              details,
              auditUnchanged: trigger !== 'schedule',
            });
      const sources = await replaceSourceFiles(tx, repositoryId, checkout.commit, files.sources);
      // Terraform's sync changes only files; a scheduled one that changed none writes no audit row.
      if (counts === null && (trigger !== 'schedule' || sources.changed > 0)) {
        await writeAudit(tx, {
          organizationId: repository.organizationId,
          action: 'iac_source_files.replaced',
          resourceType: 'iac_repository',
          resourceId: repositoryId,
          newValues: { ...details, declaringFiles: sources.files, changed: sources.changed, withoutText: sources.withoutText },
        });
      }
      await markSyncedAsOf(tx, repositoryId, fetchedAt);
      return { counts, sources };
    });
    if (written === undefined) {
      log.info({ commit: checkout.commit }, 'a later sync of the repository wrote first; this checkout is dropped');
      return { status: 'superseded', repositoryId, commit: checkout.commit };
    }
    log.info(
      {
        commit: checkout.commit,
        ...written.counts,
        declaringFiles: written.sources.files,
        rejected: files.rejected.length,
        warnings: files.warnings.length,
      },
      'repository synced',
    );
    for (const warning of files.warnings) log.warn({ path: warning.path }, warning.reason);
    return {
      status: 'synced',
      repositoryId,
      commit: checkout.commit,
      counts: written.counts,
      sources: written.sources,
      rejected: files.rejected,
      warnings: files.warnings,
    };
  } finally {
    await checkout.remove();
  }
}

async function readCheckout(dir: string, tool: SyncTool): Promise<RepositoryFilesResult> {
  if (tool !== 'terraform') return readRepositoryFiles(dir, tool);
  const read = await readTerraformSourcesOffThread(dir);
  return { resources: [], rejected: [], warnings: [], files: read.files, sources: read.sources };
}

/**
 * What a git sync of the repository reads, or a permanent GitSyncError when it cannot be synced
 * from git at all (no URL). Sync commands check it before accepting the request.
 */
export function syncSource(repository: RepositoryForSync): { tool: SyncTool; url: string } {
  const tool = repository.tool;
  const url = repository.repositoryUrl;
  if (!url) throw new GitSyncError('no_url', repository.id, `IaC repository ${repository.id} has no repository URL to sync from`);
  return { tool, url };
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
