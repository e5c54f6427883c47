import { sql, type Kysely } from 'kysely';

/**
 * Versions of a drift's analysis and confirmed causes, on `drift_cause_analysis` (still one row
 * per drift, holding the latest analysis):
 * - `analysis_version`: 1 for the first analysis, one more for each re-analysis (a late signal,
 *   a drift.detected with other changes);
 * - `first_analyzed_at`: when the first analysis ran (`analyzed_at` is the latest's);
 * - `window_start` / `window_end`: the correlation window the analysis used; a signal arriving
 *   within an hour of the first analysis whose time falls inside it re-analyzes the drift;
 * - `changes_digest`: SHA-256 of the changes analyzed, telling a redelivery from new changes;
 * - `detected`: the drift.detected data analyzed, so a re-analysis needs no other unit's tables;
 * - `confirmed_cause` / `confirmed_at`: the cause an engineer confirmed on resolution, the label
 *   `dg ml train` learns from.
 * Late-signal lookups go by the first analysis time.
 *
 * `context_signals.match_keys`: every name a signal could match a resource by (its references
 * and their suffixes, the string values of its body), so the correlation window query fetches
 * the signals naming the drifted resource through a GIN index, and the lasting kinds
 * (incidents, alerts, …) through the (organization, kind, time) index, instead of every signal
 * of the window. Rows stored before this migration get their references and body strings.
 * `drift_events (environment_id, resource_key)`: a resource's earlier drifts, open or closed.
 */
const CAUSES = `'emergency_fix', 'manual_troubleshooting', 'security_response', 'configuration_error', 'automated_response', 'unknown'`;

const up_ = [
  `ALTER TABLE drift_cause_analysis
    ADD COLUMN analysis_version INTEGER NOT NULL DEFAULT 1 CHECK (analysis_version > 0),
    ADD COLUMN first_analyzed_at TIMESTAMP WITH TIME ZONE,
    ADD COLUMN window_start TIMESTAMP WITH TIME ZONE,
    ADD COLUMN window_end TIMESTAMP WITH TIME ZONE,
    ADD COLUMN changes_digest VARCHAR(64),
    ADD COLUMN detected JSONB,
    ADD COLUMN confirmed_cause VARCHAR(50) CHECK (confirmed_cause IN (${CAUSES})),
    ADD COLUMN confirmed_at TIMESTAMP WITH TIME ZONE`,
  `UPDATE drift_cause_analysis SET first_analyzed_at = analyzed_at`,
  `CREATE INDEX idx_drift_cause_analysis_first_analyzed ON drift_cause_analysis (first_analyzed_at)`,
  `ALTER TABLE context_signals ADD COLUMN match_keys TEXT[] NOT NULL DEFAULT '{}'`,
  `UPDATE context_signals SET match_keys = ARRAY(
    SELECT DISTINCT k FROM (
      SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(resource_refs) = 'array' THEN resource_refs ELSE '[]'::jsonb END) AS k
      UNION ALL SELECT regexp_replace(jsonb_array_elements_text(CASE WHEN jsonb_typeof(resource_refs) = 'array' THEN resource_refs ELSE '[]'::jsonb END), '^.*[/:]', '')
      UNION ALL SELECT v #>> '{}' FROM jsonb_path_query(data, 'strict $.**') AS v WHERE jsonb_typeof(v) = 'string'
      UNION ALL SELECT regexp_replace(v #>> '{}', '^.*[/:]', '') FROM jsonb_path_query(data, 'strict $.**') AS v WHERE jsonb_typeof(v) = 'string'
    ) keys WHERE length(k) BETWEEN 1 AND 512)`,
  `CREATE INDEX idx_context_signals_match_keys ON context_signals USING gin (match_keys)`,
  `CREATE INDEX idx_context_signals_org_kind_time ON context_signals (organization_id, context_type, occurred_at)`,
  // Analysis reads a resource's earlier drifts, open or closed (its last in-sync scan, values it held before).
  `CREATE INDEX idx_drift_events_resource ON drift_events (environment_id, resource_key)`,
];

const down_ = [
  'DROP INDEX idx_drift_events_resource',
  'DROP INDEX idx_context_signals_org_kind_time',
  'DROP INDEX idx_context_signals_match_keys',
  'ALTER TABLE context_signals DROP COLUMN match_keys',
  'DROP INDEX idx_drift_cause_analysis_first_analyzed',
  `ALTER TABLE drift_cause_analysis
    DROP COLUMN analysis_version, DROP COLUMN first_analyzed_at, DROP COLUMN window_start, DROP COLUMN window_end, DROP COLUMN changes_digest,
    DROP COLUMN detected, DROP COLUMN confirmed_cause, DROP COLUMN confirmed_at`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of up_) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const s of down_) await sql.raw(s).execute(db);
}
