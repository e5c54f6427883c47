import type { Database, MlPerformanceMetric } from '@driftguard/db';
import type { Kysely, Transaction } from 'kysely';
import type { TrainingReport } from './cause-model.trainer.js';

/** numeric(5,4) */
const dec4 = (x: number) => x.toFixed(4);

/** Records the evaluation of a model: the held-out scores, the confusion matrix, importances and CV scores. */
export async function insertModelEvaluation(
  tx: Transaction<Database>,
  modelId: number,
  report: TrainingReport,
  at: Date,
): Promise<number> {
  const e = report.evaluation;
  const row = await tx
    .insertInto('ml_performance_metrics')
    .values({
      ml_model_id: modelId,
      evaluation_date: at.toISOString().slice(0, 10),
      training_data_size: report.trainingRows,
      accuracy: dec4(e.accuracy),
      precision_macro: dec4(e.macroPrecision),
      recall_macro: dec4(e.macroRecall),
      f1_score_macro: dec4(e.macroF1),
      confusion_matrix: JSON.stringify({ classes: Object.keys(e.perClass), matrix: e.confusion }),
      feature_importance: JSON.stringify({
        method: 'permutation (held-out log-loss increase)',
        features: report.featureImportance,
      }),
      cross_validation_scores: JSON.stringify({
        folds: report.folds,
        foldMacroF1: report.crossValidation.foldMacroF1,
        macroF1: report.crossValidation.macroF1,
        ece: report.crossValidation.ece,
        uncalibratedEce: report.crossValidation.uncalibratedEce,
        heldOutEce: e.ece,
        perClass: e.perClass,
        temperature: report.temperature,
      }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The latest evaluation of a model. */
export async function latestModelEvaluation(db: Kysely<Database>, modelId: number): Promise<MlPerformanceMetric | undefined> {
  return db
    .selectFrom('ml_performance_metrics')
    .selectAll()
    .where('ml_model_id', '=', modelId)
    .orderBy('id', 'desc')
    .executeTakeFirst();
}
