import { sql, type Kysely, type Transaction } from 'kysely';
import type { IacTool } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';

/** What the ingest needs of an `iac_repositories` row (the api owns the row; ingest reads it). */
export interface RepositoryForSync {
  id: number;
  name: string;
  tool: IacTool;
  environmentId: number | null;
  organizationId: number | null;
  repositoryUrl: string | null;
  branch: string | null;
  lastSyncAt: Date | null;
}

const columns = [
  'iac_repositories.id as id',
  'iac_repositories.name as name',
  'iac_repositories.tool as tool',
  'iac_repositories.environment_id as environmentId',
  'environments.organization_id as organizationId',
  'iac_repositories.repository_url as repositoryUrl',
  'iac_repositories.branch as branch',
  'iac_repositories.last_sync_at as lastSyncAt',
] as const;

/** The repository with its environment's organization, or undefined. */
export async function findRepository(db: Kysely<Database>, repositoryId: number): Promise<RepositoryForSync | undefined> {
  return db
    .selectFrom('iac_repositories')
    .leftJoin('environments', 'environments.id', 'iac_repositories.environment_id')
    .select(columns)
    .where('iac_repositories.id', '=', repositoryId)
    .executeTakeFirst();
}

/**
 * The encrypted credentials of a repository, read apart from the row so they are fetched only
 * just before use and never travel with the repository object (which gets logged).
 */
export async function findRepositoryCredentials(db: Kysely<Database>, repositoryId: number): Promise<Buffer | null> {
  const row = await db
    .selectFrom('iac_repositories')
    .select('credentials_encrypted')
    .where('id', '=', repositoryId)
    .executeTakeFirst();
  return row?.credentials_encrypted ?? null;
}

/**
 * Repositories synced from git (kubernetes and cloudformation, with a URL) whose last sync is
 * older than `staleAfterMs` or that never synced, oldest first.
 */
export async function findRepositoriesDueForSync(
  db: Kysely<Database>,
  staleAfterMs: number,
  limit: number,
): Promise<{ repositoryId: number; orgId: number }[]> {
  // Every organization's repositories: the security-definer function of migration 0006.
  const { rows } = await sql<{ id: number; organization_id: number }>`
    SELECT * FROM dg_repositories_due_for_sync(${staleAfterMs / 1000}::double precision, ${limit}::integer)`.execute(db);
  return rows.map((r) => ({ repositoryId: r.id, orgId: r.organization_id }));
}

/**
 * Marks the repository synced now and locks its row for the rest of the transaction, so two
 * replacements of one repository's resources run one after the other. Returns the row's
 * organization, or undefined when the repository does not exist.
 */
export async function touchRepositorySync(
  tx: Transaction<Database>,
  repositoryId: number,
): Promise<{ environmentId: number | null; organizationId: number | null } | undefined> {
  const row = await tx
    .updateTable('iac_repositories')
    .set((eb) => ({ last_sync_at: eb.fn<Date>('now') }))
    .where('id', '=', repositoryId)
    .returning((eb) => [
      'environment_id as environmentId',
      eb
        .selectFrom('environments')
        .select('organization_id')
        .whereRef('environments.id', '=', 'iac_repositories.environment_id')
        .as('organizationId'),
    ])
    .executeTakeFirst();
  return row;
}
