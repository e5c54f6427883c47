import { sql, type Kysely } from 'kysely';
import type { Database } from '@driftguard/db';

/** Outcome of a job: done (with what it did), or skipped because another run holds its lock. */
export type JobOutcome<T> = { status: 'done'; result: T } | { status: 'skipped'; reason: 'running elsewhere' };

/**
 * Runs `fn` only if no other process runs job `name` right now: a session advisory lock,
 * tried (never waited for) on a connection pinned for the job's duration, so two schedulers,
 * or a scheduler and `dg jobs run`, never do the same work at once. The lock ends with the
 * connection if the process dies. The job runs on that connection too (`fn` gets it), so it
 * never waits for a second one: the embedded database has only one.
 */
export async function withJobLock<T>(
  db: Kysely<Database>,
  name: string,
  fn: (conn: Kysely<Database>) => Promise<T>,
): Promise<JobOutcome<T>> {
  return db.connection().execute(async (conn) => {
    const key = `dg_job:${name}`;
    const got = await sql<{ locked: boolean }>`SELECT pg_try_advisory_lock(hashtext(${key})) AS locked`.execute(conn);
    if (got.rows[0]?.locked !== true) return { status: 'skipped', reason: 'running elsewhere' };
    try {
      return { status: 'done', result: await fn(conn) };
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtext(${key}))`.execute(conn);
    }
  });
}
