import { writeAudit, type AuditEntry, type Database } from '@driftguard/db';
import type { Kysely, Transaction } from 'kysely';

/**
 * Writes a bootstrap change's audit row. The shell (`dg`) writes it as is; an api route passes a
 * writer that hands the entry to the route's audited change instead, so the request's single
 * audit row names its actor.
 */
export type AuditWriter = (tx: Transaction<Database>, entry: AuditEntry) => Promise<void>;

export const writeOwnAudit: AuditWriter = async (tx, entry) => {
  await writeAudit(tx, entry);
};

/** Kysely's own flag: a `Transaction` is the only Kysely instance that reports it. */
const isTransaction = (db: Kysely<Database>): db is Transaction<Database> => db.isTransaction;

/** Runs `fn` in `db`'s transaction when it is one (an audited api change), else in a new one. */
export function inTransaction<T>(db: Kysely<Database>, fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
  return isTransaction(db) ? fn(db) : db.transaction().execute(fn);
}
