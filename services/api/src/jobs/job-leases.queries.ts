import type { Database } from '@driftguard/db';
import { sql, type Kysely } from 'kysely';

/** `ttlMs` from now, by the clock of the statement (not of its transaction). */
const expiresIn = (ttlMs: number) => sql<Date>`clock_timestamp() + make_interval(secs => ${ttlMs / 1000}::double precision)`;

/** Takes job `job`'s lease for `holder` unless a live one is held; returns whether it did. */
export async function takeJobLease(db: Kysely<Database>, job: string, holder: string, ttlMs: number): Promise<boolean> {
  const row = await db
    .insertInto('job_leases')
    .values({ job, holder, expires_at: expiresIn(ttlMs) })
    .onConflict((oc) =>
      oc
        .column('job')
        .doUpdateSet({ holder, acquired_at: sql<Date>`clock_timestamp()`, expires_at: (eb) => eb.ref('excluded.expires_at') })
        .where('job_leases.expires_at', '<', sql<Date>`clock_timestamp()`),
    )
    .returning('holder')
    .executeTakeFirst();
  return row?.holder === holder;
}

/** Extends `holder`'s lease of `job`; false when it lapsed and another runner took it. */
export async function renewJobLease(db: Kysely<Database>, job: string, holder: string, ttlMs: number): Promise<boolean> {
  const r = await db
    .updateTable('job_leases')
    .set({ expires_at: expiresIn(ttlMs) })
    .where('job', '=', job)
    .where('holder', '=', holder)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function releaseJobLease(db: Kysely<Database>, job: string, holder: string): Promise<void> {
  await db.deleteFrom('job_leases').where('job', '=', job).where('holder', '=', holder).execute();
}
