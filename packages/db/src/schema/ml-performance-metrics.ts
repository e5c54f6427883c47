import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, nullableDefault, type TableOf } from './columns.js';

/** `ml_performance_metrics`: An evaluation of a model. Owned by analysis. */
export const mlPerformanceMetricsColumns = {
  id: notNullDefault('int4'),
  ml_model_id: nullable('int4'),
  evaluation_date: notNull('date'),
  training_data_size: nullable('int4'),
  accuracy: nullable('numeric(5,4)'),
  precision_macro: nullable('numeric(5,4)'),
  recall_macro: nullable('numeric(5,4)'),
  f1_score_macro: nullable('numeric(5,4)'),
  confusion_matrix: nullable('jsonb'),
  feature_importance: nullable('jsonb'),
  cross_validation_scores: nullable('jsonb'),
  created_at: nullableDefault('timestamptz'),
} as const;

export type MlPerformanceMetricsTable = TableOf<typeof mlPerformanceMetricsColumns>;
export type MlPerformanceMetric = Selectable<MlPerformanceMetricsTable>;
export type NewMlPerformanceMetric = Insertable<MlPerformanceMetricsTable>;
export type MlPerformanceMetricUpdate = Updateable<MlPerformanceMetricsTable>;
