import { sql, type Kysely } from 'kysely';

/**
 * Removable recommendation policy overrides, and the drift list's sort orders.
 *
 * `recommendation_policies.retired_at`: removing an override (`DELETE /v1/recommendation-policy`)
 * retires every version of its scope instead of deleting them, so recommendations that name a
 * policy version keep naming the document that decided them, and a later override continues the
 * numbering. Only versions not retired are active.
 *
 * The drift list sorts by severity, last activity, resource address or resource type with keyset
 * pages on (key, id); each key is an expression with NULLs mapped to a value below every other
 * (so the order is total), indexed with id so either direction is one ordered index scan.
 */
const up_ = [
  `ALTER TABLE recommendation_policies ADD COLUMN retired_at TIMESTAMP WITH TIME ZONE`,
  `CREATE INDEX idx_drift_events_severity_id ON drift_events ((coalesce(severity_score, -1)), id)`,
  `CREATE INDEX idx_drift_events_activity_id ON drift_events ((greatest(detected_at, last_seen_at, resolved_at)), id)`,
  `CREATE INDEX idx_drift_events_address_id ON drift_events ((coalesce(metadata #>> '{resource,address}', '')), id)`,
  `CREATE INDEX idx_drift_events_type_id ON drift_events ((coalesce(metadata #>> '{resource,type}', '')), id)`,
];

const down_ = [
  `DROP INDEX idx_drift_events_type_id`,
  `DROP INDEX idx_drift_events_address_id`,
  `DROP INDEX idx_drift_events_activity_id`,
  `DROP INDEX idx_drift_events_severity_id`,
  `ALTER TABLE recommendation_policies DROP COLUMN retired_at`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of up_) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const s of down_) await sql.raw(s).execute(db);
}
