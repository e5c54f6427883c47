import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '@driftguard/db';

/** advisory lock class of repository sync writes; the object id is the repository id */
export const SYNC_WRITE_LOCK_CLASS = 0x44475253;

/** The database's clock, so fetch times compare with `last_sync_at` written by any instance. */
export async function databaseNow(db: Kysely<Database>): Promise<Date> {
  const result = await sql<{ now: Date }>`SELECT now() AS now`.execute(db);
  const now = result.rows[0]?.now;
  if (!(now instanceof Date)) throw new Error('SELECT now() returned no timestamp');
  return now;
}

/**
 * Takes the repository's write lock for the rest of the transaction (waiting for another
 * instance's write, which is short: no clone happens under it) and says whether a fetch started
 * at `fetchedAt` is still the newest: false when a sync that fetched later (or an upload) has
 * already written, whose state must not be replaced by an older checkout.
 */
export async function claimSyncWrite(tx: Transaction<Database>, repositoryId: number, fetchedAt: Date): Promise<boolean> {
  await sql`SELECT pg_advisory_xact_lock(${SYNC_WRITE_LOCK_CLASS}::int, ${repositoryId}::int)`.execute(tx);
  const row = await tx
    .selectFrom('iac_repositories')
    .select('last_sync_at')
    .where('id', '=', repositoryId)
    .forUpdate()
    .executeTakeFirst();
  return row !== undefined && (row.last_sync_at === null || row.last_sync_at < fetchedAt);
}

/** Dates the declared state by when its checkout was fetched, the instant the compare-and-set compares. */
export async function markSyncedAsOf(tx: Transaction<Database>, repositoryId: number, fetchedAt: Date): Promise<void> {
  await tx.updateTable('iac_repositories').set({ last_sync_at: fetchedAt }).where('id', '=', repositoryId).execute();
}

/**
 * Makes the repository due for the next sync round of any instance (a sync command survives the
 * instance that took it). Locks the row until the caller's transaction ends.
 */
export async function markRepositoryDue(tx: Transaction<Database>, repositoryId: number): Promise<void> {
  await tx.updateTable('iac_repositories').set({ last_sync_at: null }).where('id', '=', repositoryId).execute();
}
