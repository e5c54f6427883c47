import { sql, type Kysely } from 'kysely';

/**
 * Scan processing state kept by ingest. A scan is claimed under a lease (`claimed_until`,
 * `claimed_by`) that its processor renews batch by batch; a processor that dies stops renewing
 * and another takes the scan over. `report` keeps what a scan showed besides drift (resources
 * not checked, scanner alerts, ignore-rule suppressions). On drift_events, `resource_key` names
 * the resource whatever format reported it and `source_scope` says which full scans speak for it.
 */
const up_ = [
  `ALTER TABLE scans
    ADD COLUMN claimed_until TIMESTAMP WITH TIME ZONE,
    ADD COLUMN claimed_by VARCHAR(255),
    ADD COLUMN report JSONB NOT NULL DEFAULT '{}'`,
  `ALTER TABLE drift_events
    ADD COLUMN resource_key VARCHAR(600),
    ADD COLUMN source_scope VARCHAR(300)`,
  `CREATE INDEX idx_drift_events_open_resource ON drift_events(environment_id, resource_key) WHERE resolved_at IS NULL`,
  `CREATE INDEX idx_drift_events_open_scope ON drift_events(environment_id, source_scope) WHERE resolved_at IS NULL`,
  // Removing declared resources clears the references drifts hold to them.
  `CREATE INDEX idx_drift_events_iac_resource ON drift_events(iac_resource_id) WHERE iac_resource_id IS NOT NULL`,
];

const down_ = [
  'DROP INDEX idx_drift_events_iac_resource',
  'DROP INDEX idx_drift_events_open_scope',
  'DROP INDEX idx_drift_events_open_resource',
  'ALTER TABLE drift_events DROP COLUMN source_scope, DROP COLUMN resource_key',
  'ALTER TABLE scans DROP COLUMN report, DROP COLUMN claimed_by, DROP COLUMN claimed_until',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of up_) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const s of down_) await sql.raw(s).execute(db);
}
