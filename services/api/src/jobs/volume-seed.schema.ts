import type pg from 'pg';
import { iso } from './volume-seed.data.js';

/** Bulk-load housekeeping of the volume seed: which tables it loads, their indexes, audit months. */
export const LOADED_TABLES = [
  'iac_resources',
  'drift_events',
  'drift_changes',
  'drift_cause_analysis',
  'ml_predictions',
  'recommendations',
  'notifications',
  'correlation_events',
];

/** Drops the indexes of `tables` that back no constraint; returns their definitions. */
export async function dropSecondaryIndexes(client: pg.Client, tables: readonly string[]): Promise<string[]> {
  const r = await client.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
     FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
     WHERE t.relname = ANY ($1) AND t.relnamespace = current_schema()::regnamespace
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
    [tables],
  );
  for (const { name } of r.rows) await client.query(`DROP INDEX ${name}`);
  return r.rows.map((x) => x.def);
}

/** Monthly audit partitions for the seeded months, like dg_ensure_audit_partitions makes ahead. */
export async function ensureAuditMonths(client: pg.Client, fromMs: number, toMs: number): Promise<void> {
  const d = new Date(fromMs);
  let y = d.getUTCFullYear();
  let m = d.getUTCMonth();
  for (;;) {
    const lo = Date.UTC(y, m, 1);
    if (lo > toMs) return;
    const hi = Date.UTC(y, m + 1, 1);
    const name = `audit_log_y${y}m${String(m + 1).padStart(2, '0')}`;
    await client.query(`DO $do$ BEGIN
      IF to_regclass('${name}') IS NULL THEN
        CREATE TABLE ${name} PARTITION OF audit_log FOR VALUES FROM ('${iso(lo)}') TO ('${iso(hi)}');
        -- Reachable only through audit_log, as dg_ensure_audit_partitions leaves its partitions.
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dg_app') THEN REVOKE ALL ON TABLE ${name} FROM dg_app; END IF;
      END IF;
    END $do$`);
    m += 1;
    if (m === 12) {
      m = 0;
      y += 1;
    }
  }
}
