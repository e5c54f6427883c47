import { sql, type Kysely } from 'kysely';
import type { Database } from '@driftguard/db';

/*
 * The lifecycle steps that cross organizations or remove rows of tables other units own, each
 * through its SECURITY DEFINER function of migration 0015 (callable by dg_api only).
 */

/** Every organization's id, for jobs that then work in each one's scope. */
export async function lifecycleOrganizations(db: Kysely<Database>): Promise<number[]> {
  const r = await sql<{ id: number }>`SELECT dg_lifecycle_organizations() AS id`.execute(db);
  return r.rows.map((row) => row.id);
}

/** Removes up to `maxRows` resolved drifts before `cutoff` whose days are rolled up; returns how many. */
export async function purgeRolledUpDriftEvents(db: Kysely<Database>, cutoff: Date, maxRows: number): Promise<number> {
  const r = await sql<{
    n: number;
  }>`SELECT dg_purge_rolled_up_drift_events(${cutoff}::timestamptz, ${maxRows}::integer) AS n`.execute(db);
  return r.rows[0]?.n ?? 0;
}

export interface AuditPartition {
  name: string;
  /** First day of the month it holds, YYYY-MM-DD. */
  month: string;
}

export async function auditPartitions(db: Kysely<Database>): Promise<AuditPartition[]> {
  const r = await sql<{
    name: string;
    month: string;
  }>`SELECT name, to_char(month, 'YYYY-MM-DD') AS month FROM dg_audit_partitions()`.execute(db);
  return r.rows;
}

/** One page of a partition's rows, in id order: the id (int8 as text) and PostgreSQL's JSON text of the row. */
export async function auditPartitionPage(
  db: Kysely<Database>,
  partition: string,
  afterId: string,
  maxRows: number,
): Promise<{ id: string; line: string }[]> {
  const r = await sql<{ id: string; line: string }>`SELECT r->>'id' AS id, r::text AS line
    FROM dg_audit_partition_rows(${partition}, ${afterId}::bigint, ${maxRows}::integer) AS r`.execute(db);
  return r.rows;
}

/** Detaches and drops an archived partition; refuses unless it holds exactly `archivedRows` rows. */
export async function dropAuditPartition(db: Kysely<Database>, partition: string, archivedRows: number): Promise<void> {
  await sql`SELECT dg_drop_audit_partition(${partition}, ${archivedRows}::bigint)`.execute(db);
}

/** Removes all but the newest `keep` versions (and the active one) of each ML model; returns the removed ids. */
export async function pruneMlModels(db: Kysely<Database>, keep: number): Promise<number[]> {
  const r = await sql<{ id: number }>`SELECT dg_prune_ml_models(${keep}::integer) AS id`.execute(db);
  return r.rows.map((row) => row.id);
}
