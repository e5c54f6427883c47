import type { Database } from '@driftguard/db';
import type { Kysely } from 'kysely';
import type { CauseAnalysis } from '../cause/cause.analyzer.js';

/** One drift's cause prediction and the model that made it (none: the rules). */
export interface CausePrediction {
  driftEventId: number;
  modelId: number | null;
  analysis: CauseAnalysis;
}

/**
 * Records cause predictions, one statement for all. The named features go into
 * `prediction_metadata` so that, once an engineer confirms the cause, the drift becomes a
 * training example (see `confirmedLabels`).
 */
export async function recordCausePredictions(db: Kysely<Database>, predictions: readonly CausePrediction[]): Promise<void> {
  if (predictions.length === 0) return;
  await db
    .insertInto('ml_predictions')
    .values(
      predictions.map(({ driftEventId, modelId, analysis }) => ({
        drift_event_id: driftEventId,
        ml_model_id: modelId,
        prediction_result: JSON.stringify({
          cause: analysis.cause,
          confidence: analysis.confidence,
          probabilities: analysis.probabilities ?? null,
        }),
        prediction_metadata: JSON.stringify({
          method: analysis.method,
          modelVersion: analysis.modelVersion ?? null,
          rule: analysis.rule ?? null,
          contributions: analysis.contributions,
          features: analysis.features,
        }),
      })),
    )
    .execute();
}

/** {@link recordCausePredictions} for one drift. */
export async function recordCausePrediction(
  db: Kysely<Database>,
  driftEventId: number,
  modelId: number | null,
  analysis: CauseAnalysis,
): Promise<void> {
  await recordCausePredictions(db, [{ driftEventId, modelId, analysis }]);
}
