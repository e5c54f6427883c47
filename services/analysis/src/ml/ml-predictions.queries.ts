import type { Database } from '@driftguard/db';
import type { Kysely } from 'kysely';
import type { CauseAnalysis } from '../cause/cause.analyzer.js';

/**
 * Records a cause prediction for a drift. The named features go into `prediction_metadata` so
 * that, once an engineer confirms the cause, the drift becomes a training example (see
 * `confirmedLabels`).
 */
export async function recordCausePrediction(
  db: Kysely<Database>,
  driftEventId: number,
  modelId: number | null,
  analysis: CauseAnalysis,
): Promise<number> {
  const row = await db
    .insertInto('ml_predictions')
    .values({
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
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
