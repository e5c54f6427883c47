import type { Database, MlModel } from '@driftguard/db';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { CauseModel } from './cause-model.js';
import type { TrainedCauseModel } from './cause-model.trainer.js';
import { classificationReport } from './classification.metrics.js';
import { CauseModelArtifact } from './model-artifact.js';
import {
  activateModel,
  findActiveModel,
  insertModelVersion,
  lockModelName,
  nextModelVersion,
  pruneModelVersions,
} from './ml-models.queries.js';
import { insertModelEvaluation } from './ml-performance-metrics.queries.js';
import { CLASSES } from './training-data.js';

/** Registry name of the drift cause classifier. */
export const CAUSE_MODEL_NAME = 'drift-cause';
/** Versions kept per model name; older inactive ones are deleted. */
export const KEEP_VERSIONS = 5;

export interface Registration {
  modelId: number;
  version: string;
  activated: boolean;
  /** Macro-F1 of the new and the previously active model on the new model's held-out set. */
  comparison: { activeVersion: string; activeMacroF1: number; newMacroF1: number } | null;
  reason: string;
  prunedModelIds: number[];
}

const Metadata = z.object({ artifact: CauseModelArtifact });

/** Parses a registry row's artifact; throws naming what is wrong. */
export function artifactOf(row: Pick<MlModel, 'metadata' | 'version'>): CauseModelArtifact {
  const parsed = Metadata.safeParse(row.metadata);
  if (!parsed.success)
    throw new Error(`model ${row.version} has no valid artifact: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data.artifact;
}

/** The active cause model, loaded, with its registry id; null when there is none. Free it after use. */
export async function loadActiveCauseModel(
  db: Kysely<Database>,
  name = CAUSE_MODEL_NAME,
): Promise<{ id: number; model: CauseModel } | null> {
  const row = await findActiveModel(db, name);
  if (!row) return null;
  return { id: row.id, model: await CauseModel.load(artifactOf(row), row.version) };
}

/** Macro-F1 of a stored model on a held-out set, or null when it cannot be loaded or run. */
async function scoreActive(row: MlModel, heldOut: TrainedCauseModel['heldOut']): Promise<number | null> {
  let model: CauseModel | undefined;
  try {
    model = await CauseModel.load(artifactOf(row), row.version);
    const probs = model.predictVectors(heldOut.features.map((f) => model!.vectorOf(f)));
    return classificationReport(probs, heldOut.labels, CLASSES).macroF1;
  } catch {
    return null;
  } finally {
    model?.free();
  }
}

/**
 * Stores a trained model as the next version with its evaluation, makes it active only if its
 * macro-F1 on its held-out set is at least the active model's on the same set, and keeps the
 * newest `KEEP_VERSIONS` versions. One transaction, serialized per model name.
 */
export async function registerCauseModel(
  db: Kysely<Database>,
  trained: TrainedCauseModel,
  name = CAUSE_MODEL_NAME,
): Promise<Registration> {
  const now = new Date();
  return db.transaction().execute(async (tx) => {
    await lockModelName(tx, name);
    const version = await nextModelVersion(tx, name);
    const { report, artifact } = trained;
    const modelId = await insertModelVersion(tx, {
      name,
      version,
      framework: 'xgboost',
      features: artifact.featureNames,
      targetClasses: artifact.classes,
      metrics: {
        macroF1: report.evaluation.macroF1,
        accuracy: report.evaluation.accuracy,
        ece: report.evaluation.ece,
        cvMacroF1: report.crossValidation.macroF1,
        handWrittenMacroF1: report.handWritten.macroF1,
        handWrittenEce: report.handWritten.ece,
      },
      trainedAt: now,
      metadata: {
        artifact,
        training: {
          seed: report.seed,
          samples: report.samples,
          evalSeed: report.evalSeed,
          evalSamples: report.evalSamples,
          folds: report.folds,
          params: report.params,
          confirmedLabelDriftIds: report.confirmedLabelDriftIds,
        },
      },
    });
    await insertModelEvaluation(tx, modelId, report, now);
    const active = await findActiveModel(tx, name);
    const newMacroF1 = report.evaluation.macroF1;
    let activated = true;
    let comparison: Registration['comparison'] = null;
    let reason = 'no active model';
    if (active) {
      const activeMacroF1 = await scoreActive(active, trained.heldOut);
      if (activeMacroF1 === null) {
        reason = `active ${active.version} could not be evaluated`;
      } else {
        comparison = { activeVersion: active.version, activeMacroF1, newMacroF1 };
        activated = newMacroF1 >= activeMacroF1;
        reason = `macro-F1 ${newMacroF1.toFixed(4)} ${activated ? '≥' : '<'} ${activeMacroF1.toFixed(4)} of active ${active.version} on the same held-out data`;
      }
    }
    if (activated) await activateModel(tx, name, modelId, now);
    const prunedModelIds = await pruneModelVersions(tx, name, KEEP_VERSIONS);
    return { modelId, version, activated, comparison, reason, prunedModelIds };
  });
}
