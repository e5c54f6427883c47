import { sql, type Kysely } from 'kysely';

/**
 * `drift_events.observed_at`: when the scanner observed the infrastructure that showed the drift
 * (a Terraform plan's `timestamp`, a CloudFormation resource drift's `Timestamp`, a native scan's
 * `observedAt`, else the scan's submission time), apart from `detected_at`, when DriftGuard
 * processed it. Cause analysis correlates commits, incidents and audit trails against it.
 * Drifts recorded before this column existed take their detection time, the closest known.
 */
const up_ = [
  `ALTER TABLE drift_events ADD COLUMN observed_at TIMESTAMP WITH TIME ZONE`,
  `UPDATE drift_events SET observed_at = detected_at WHERE observed_at IS NULL`,
];

const down_ = ['ALTER TABLE drift_events DROP COLUMN observed_at'];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of up_) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const s of down_) await sql.raw(s).execute(db);
}
