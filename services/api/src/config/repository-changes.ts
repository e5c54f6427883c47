import { IacTool, type UpdateRepositoryBody } from '@driftguard/contracts';
import { encryptSecret, type Database, type Keyring } from '@driftguard/db';
import { ConflictError, InvalidInputError, ProblemError, scrubText, type OutboundAllowList } from '@driftguard/runtime';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import {
  Branch,
  checkCredentialsShape,
  checkReachable,
  RepositoryUrl,
  repositoryCredentialsContext,
} from '../bootstrap/repositories.js';
import { parseInput } from '../bootstrap/input.js';
import { uniqueViolation } from '../bootstrap/unique-violation.js';

/** The same rules as a registration (`createRepository`), each field optional. */
const RepositoryPatch = z.object({
  name: z.string().trim().min(1).max(255).optional(),
  url: RepositoryUrl.nullable().optional(),
  branch: Branch.optional(),
  credentials: z.string().min(1).nullable().optional(),
});

/** A repository as the api shows and audits it: never its credentials, only whether there are some. */
export interface RepositoryState {
  id: number;
  environmentId: number;
  name: string;
  tool: IacTool;
  url: string | null;
  branch: string;
  lastSyncAt: string | null;
  hasCredentials: boolean;
}

/** The repository `id` of organization `orgId`, locked for a change; undefined when it is not the organization's. */
async function lockRepository(tx: Transaction<Database>, orgId: number, id: number) {
  return tx
    .selectFrom('iac_repositories')
    .selectAll()
    .where('id', '=', id)
    .where('environment_id', 'in', (eb) => eb.selectFrom('environments').select('id').where('organization_id', '=', orgId))
    .forUpdate()
    .executeTakeFirst();
}

type RepositoryRow = NonNullable<Awaited<ReturnType<typeof lockRepository>>>;

function stateOf(r: RepositoryRow): RepositoryState {
  return {
    id: r.id,
    environmentId: r.environment_id ?? 0,
    name: r.name,
    tool: IacTool.parse(r.tool),
    url: r.repository_url,
    branch: r.branch ?? 'main',
    lastSyncAt: r.last_sync_at === null ? null : new Date(r.last_sync_at).toISOString(),
    hasCredentials: r.credentials_encrypted !== null,
  };
}

/** How a repository appears in an audit row: a URL's user info scrubbed, credentials never. */
export const repositoryAuditValues = (s: RepositoryState) => ({ ...s, url: s.url === null ? null : scrubText(s.url) });

/**
 * Changes a repository of the organization (name, URL, branch, credentials) with the same checks
 * as its registration: the URL must be reachable under the outbound rules, credentials need a URL
 * and the master key, names and (URL, branch) stay unique in the environment. Returns undefined
 * when the repository is not the organization's; `resync` says whether what is synced changed.
 */
export async function updateRepository(
  tx: Transaction<Database>,
  orgId: number,
  id: number,
  body: z.infer<typeof UpdateRepositoryBody>,
  opts: { keyring: Keyring | undefined; outbound: { allow?: OutboundAllowList } },
): Promise<{ before: RepositoryState; after: RepositoryState; resync: boolean } | undefined> {
  const patch = parseInput(RepositoryPatch, body, 'repository');
  const row = await lockRepository(tx, orgId, id);
  if (!row) return undefined;
  const url = patch.url === undefined ? row.repository_url : patch.url;
  if (patch.url) checkReachable(patch.url, opts.outbound);
  const keepsCredentials = patch.credentials === undefined && row.credentials_encrypted !== null;
  if ((patch.credentials || keepsCredentials) && url === null)
    throw new InvalidInputError('invalid repository: credentials need a repository URL', [
      { path: 'credentials', message: 'needs url' },
    ]);
  if (patch.credentials) {
    if (!opts.keyring)
      throw new InvalidInputError('invalid repository: storing credentials needs DG_MASTER_KEY', [
        { path: 'credentials', message: 'DG_MASTER_KEY is not set' },
      ]);
    checkCredentialsShape(patch.credentials);
  }
  if (patch.name !== undefined && patch.name !== row.name) {
    const taken = await tx
      .selectFrom('iac_repositories')
      .select('id')
      .where('environment_id', '=', row.environment_id)
      .where('name', '=', patch.name)
      .where('id', '<>', id)
      .executeTakeFirst();
    if (taken)
      throw new ConflictError(`the environment already has a repository named "${patch.name}" (id ${taken.id})`, 'duplicate');
  }
  const credentials =
    patch.credentials === undefined
      ? undefined
      : patch.credentials === null
        ? null
        : encryptSecret(patch.credentials, opts.keyring!, repositoryCredentialsContext(id));
  let updated: RepositoryRow;
  try {
    updated = await tx
      .updateTable('iac_repositories')
      .set({
        ...(patch.name === undefined ? {} : { name: patch.name }),
        ...(patch.url === undefined ? {} : { repository_url: patch.url }),
        ...(patch.branch === undefined ? {} : { branch: patch.branch }),
        ...(credentials === undefined ? {} : { credentials_encrypted: credentials }),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (error) {
    if (!uniqueViolation(error)) throw error;
    throw new ConflictError(`the environment already has repository ${url ?? ''} on that branch`, 'duplicate', { cause: error });
  }
  const [before, after] = [stateOf(row), stateOf(updated)];
  const resync =
    after.url !== null && (before.url !== after.url || before.branch !== after.branch || patch.credentials !== undefined);
  return { before, after, resync };
}

/**
 * Removes a repository of the organization. Its declared resources are the ingest's rows and
 * drift refers to them, so a repository that still holds some is refused with a 409 naming how
 * many; undefined when the repository is not the organization's.
 */
export async function deleteRepository(
  tx: Transaction<Database>,
  orgId: number,
  id: number,
): Promise<RepositoryState | undefined> {
  const row = await lockRepository(tx, orgId, id);
  if (!row) return undefined;
  const held = await tx
    .selectFrom('iac_resources')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('iac_repository_id', '=', id)
    .executeTakeFirstOrThrow();
  if (Number(held.n) > 0)
    throw new ProblemError(
      409,
      'repository_in_use',
      `repository ${id} still holds ${held.n} declared resources, which drift refers to; upload an empty declared state first, or keep it`,
    );
  await tx.deleteFrom('iac_repositories').where('id', '=', id).execute();
  return stateOf(row);
}
