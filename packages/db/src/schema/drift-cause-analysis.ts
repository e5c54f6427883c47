import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, nullableDefault, type TableOf } from './columns.js';

/**
 * `drift_cause_analysis`: The probable cause of a drift, at most one per drift (its latest
 * analysis). Owned by analysis. `analysis_version` .. `confirmed_at` are of migration 0011.
 */
export const driftCauseAnalysisColumns = {
  id: notNullDefault('int4'),
  drift_event_id: nullable('int4'),
  cause_category: notNull('varchar(50)', [
    'emergency_fix',
    'manual_troubleshooting',
    'security_response',
    'configuration_error',
    'automated_response',
    'unknown',
  ]),
  confidence_score: notNull('numeric(3,2)'),
  contributing_factors: nullableDefault('jsonb'),
  temporal_context: nullableDefault('jsonb'),
  user_attribution: nullableDefault('jsonb'),
  analyzed_at: nullableDefault('timestamptz'),
  analysis_version: notNullDefault('int4'),
  first_analyzed_at: nullable('timestamptz'),
  window_start: nullable('timestamptz'),
  window_end: nullable('timestamptz'),
  changes_digest: nullable('varchar(64)'),
  detected: nullable('jsonb'),
  confirmed_cause: nullable('varchar(50)', [
    'emergency_fix',
    'manual_troubleshooting',
    'security_response',
    'configuration_error',
    'automated_response',
    'unknown',
  ]),
  confirmed_at: nullable('timestamptz'),
} as const;

export type DriftCauseAnalysisTable = TableOf<typeof driftCauseAnalysisColumns>;
export type DriftCauseAnalysis = Selectable<DriftCauseAnalysisTable>;
export type NewDriftCauseAnalysis = Insertable<DriftCauseAnalysisTable>;
export type DriftCauseAnalysisUpdate = Updateable<DriftCauseAnalysisTable>;
