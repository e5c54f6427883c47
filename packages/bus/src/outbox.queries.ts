import { sql, type Kysely } from 'kysely';
import type { MessagingTables } from './messaging-tables.js';

/** The relay's tables: it publishes outbox rows and moves those NATS refuses for good to dead_letters. */
export type OutboxDb = Pick<MessagingTables, 'outbox' | 'dead_letters'>;

export interface ClaimedOutboxRow {
  id: string;
  subject: string;
  payload: unknown;
  headers: Record<string, string> | null;
  attempts: number;
}

/**
 * Leases up to `limit` unpublished rows to the calling relay for `leaseMs`. SKIP LOCKED keeps
 * concurrent relays off each other's rows while claiming; the lease (claimed_until) keeps them
 * off afterwards, and hands the rows to another relay if this one dies. All times come from the
 * database clock, so relays on different hosts agree.
 */
export async function claimOutboxBatch(db: Kysely<OutboxDb>, limit: number, leaseMs: number): Promise<ClaimedOutboxRow[]> {
  return db
    .updateTable('outbox')
    .set((eb) => ({
      claimed_until: sql<Date>`now() + make_interval(secs => ${leaseMs / 1000})`,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('outbox')
        .select('id')
        .where('published_at', 'is', null)
        .where((w) => w.or([w('claimed_until', 'is', null), w('claimed_until', '<', sql<Date>`now()`)]))
        .orderBy('created_at')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returning(['id', 'subject', 'payload', 'headers', 'attempts'])
    .execute();
}

/** Marks rows whose PubAck arrived. */
export async function markOutboxPublished(db: Kysely<OutboxDb>, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('outbox')
    .set({ published_at: sql<Date>`now()`, claimed_until: null })
    .where('id', 'in', ids)
    .where('published_at', 'is', null)
    .execute();
}

/**
 * Takes a row out of the outbox because it can never be published as it stands; the caller
 * writes its dead letter in the same transaction. False when the row was published meanwhile.
 */
export async function removeFromOutbox(db: Kysely<OutboxDb>, id: string): Promise<boolean> {
  const r = await db.deleteFrom('outbox').where('id', '=', id).where('published_at', 'is', null).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** Records a failed publish and holds the row back for `retryDelayMs` (it is never dropped). */
export async function markOutboxFailed(db: Kysely<OutboxDb>, id: string, error: string, retryDelayMs: number): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ last_error: error.slice(0, 2000), claimed_until: sql<Date>`now() + make_interval(secs => ${retryDelayMs / 1000})` })
    .where('id', '=', id)
    .where('published_at', 'is', null)
    .execute();
}
