import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, nullableDefault, type TableOf } from './columns.js';

/** `drift_metrics_daily`: Daily rollup per environment. Owned by api. `date` is YYYY-MM-DD text. */
export const driftMetricsDailyColumns = {
  id: notNullDefault('int4'),
  environment_id: nullable('int4'),
  date: notNull('date'),
  total_drifts: nullableDefault('int4'),
  resolved_drifts: nullableDefault('int4'),
  avg_resolution_time: nullable('interval'),
  top_cause_categories: nullableDefault('jsonb'),
  severity_distribution: nullableDefault('jsonb'),
  recommendation_adoption_rate: nullable('numeric(5,4)'),
  created_at: nullableDefault('timestamptz'),
} as const;

export type DriftMetricsDailyTable = TableOf<typeof driftMetricsDailyColumns>;
export type DriftMetricsDaily = Selectable<DriftMetricsDailyTable>;
export type NewDriftMetricsDaily = Insertable<DriftMetricsDailyTable>;
export type DriftMetricsDailyUpdate = Updateable<DriftMetricsDailyTable>;
