import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, nullableDefault, type TableOf } from './columns.js';

/** `ml_predictions`: A model prediction for a drift. Owned by analysis. */
export const mlPredictionsColumns = {
  id: notNullDefault('int4'),
  drift_event_id: nullable('int4'),
  ml_model_id: nullable('int4'),
  prediction_result: notNull('jsonb'),
  prediction_metadata: nullableDefault('jsonb'),
  predicted_at: nullableDefault('timestamptz'),
} as const;

export type MlPredictionsTable = TableOf<typeof mlPredictionsColumns>;
export type MlPrediction = Selectable<MlPredictionsTable>;
export type NewMlPrediction = Insertable<MlPredictionsTable>;
export type MlPredictionUpdate = Updateable<MlPredictionsTable>;
