import { sql, type Kysely } from 'kysely';

/**
 * Who runs each lifecycle job right now. A job's runner holds a lease row, renews it while it
 * works and removes it when done; a runner that died leaves a lease that lapses. This works on
 * PostgreSQL and on the embedded database alike: PGlite has one session that `dg up` shares with
 * every `dg` command, so session advisory locks (re-entrant within a session) cannot tell two
 * runners apart there. Owned by the api; not tenant data.
 */
const up_ = [
  `CREATE TABLE job_leases (
    job VARCHAR(100) PRIMARY KEY,
    holder VARCHAR(255) NOT NULL,
    acquired_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
  )`,
];

const down_ = [`DROP TABLE job_leases`];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of up_) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const s of down_) await sql.raw(s).execute(db);
}
