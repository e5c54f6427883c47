import { sql, type Kysely } from 'kysely';

/**
 * How many changes each ignore rule suppressed. Ingest records per scan, in `scans.report`
 * (`suppressedByIgnoreRules`: rule id → count), what its rules held back; the api adds those
 * counts to `ignore_rules.suppressed_count`.
 *
 * `ignore_rule_scan_counts`: one row per scan whose counts the api has added, written in the
 * same transaction as the additions, so a scan is counted once however often (or however many
 * at once) the counting job runs. Owned by the api; row-level security by organization. It
 * goes with its scan (ON DELETE CASCADE).
 *
 * A partial index keeps the counting job's search to completed scans that suppressed something.
 */
const up_ = [
  `CREATE TABLE ignore_rule_scan_counts (
    scan_id UUID PRIMARY KEY REFERENCES scans(id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    suppressed BIGINT NOT NULL CHECK (suppressed >= 0),
    counted_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX scans_with_suppressions ON scans (organization_id, completed_at)
    WHERE status = 'completed' AND report ? 'suppressedByIgnoreRules' AND report -> 'suppressedByIgnoreRules' <> '{}'::jsonb`,
  `ALTER TABLE ignore_rule_scan_counts ENABLE ROW LEVEL SECURITY`,
  `CREATE POLICY tenant_isolation ON ignore_rule_scan_counts TO dg_app
    USING (organization_id = dg_current_org()) WITH CHECK (organization_id = dg_current_org())`,
  `DO $do$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dg_service') THEN
      ALTER POLICY tenant_isolation ON ignore_rule_scan_counts TO dg_app, dg_service;
    END IF;
  END $do$`,
];

const down_ = [`DROP INDEX scans_with_suppressions`, `DROP TABLE ignore_rule_scan_counts`];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of up_) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const s of down_) await sql.raw(s).execute(db);
}
