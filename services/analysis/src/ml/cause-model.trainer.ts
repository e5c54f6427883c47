import { baselineFeatures, extractFeatures } from '../cause/cause-features.js';
import { encodeFeatures, FEATURE_NAMES, type CauseFeatures } from '../cause/feature-names.js';
import { HAND_WRITTEN } from '../cause/hand-written.scenarios.js';
import { generateScenarios } from '../cause/scenario.generator.js';
import { DEFAULT_PARAMS, serializeBooster, trainBooster, withBooster, type BoosterParams } from './booster.js';
import { argmax, classificationReport, type ClassificationReport } from './classification.metrics.js';
import { stratifiedFolds } from './cross-validation.js';
import type { CauseModelArtifact } from './model-artifact.js';
import { permutationImportance, type FeatureImportance } from './permutation.importance.js';
import { applyTemperature, fitTemperature } from './temperature.calibration.js';
import { buildExamples, CLASSES, expand, type ConfirmedLabel } from './training-data.js';

export interface TrainOptions {
  /** Seed of the synthetic training scenarios, the folds and the shuffles. */
  seed: number;
  /** Number of synthetic training scenarios (balanced over the six causes). */
  samples: number;
  folds?: number;
  /** Seed of the held-out evaluation scenarios; must differ from `seed`. Default seed + 1,000,003. */
  evalSeed?: number;
  evalSamples?: number;
  params?: BoosterParams;
  /** Causes engineers confirmed on resolution, added to the synthetic data. */
  labels?: readonly ConfirmedLabel[];
}

export interface TrainingReport {
  seed: number;
  samples: number;
  evalSeed: number;
  evalSamples: number;
  /** Rows the final booster trained on (confirmed labels count `CONFIRMED_LABEL_WEIGHT` times). */
  trainingRows: number;
  /** Drift events whose confirmed cause was part of the training data. */
  confirmedLabelDriftIds: number[];
  folds: number;
  params: BoosterParams;
  temperature: number;
  /** Out-of-fold predictions of the k-fold cross-validation, calibrated. */
  crossValidation: ClassificationReport & { foldMacroF1: number[]; uncalibratedEce: number };
  /** The final model on scenarios generated with `evalSeed`, calibrated. */
  evaluation: ClassificationReport;
  /** The final model on the hand-written scenarios (`HAND_WRITTEN`), calibrated, with the ones it got wrong. */
  handWritten: ClassificationReport & { misses: { name: string; expected: string; predicted: string }[] };
  featureImportance: FeatureImportance[];
  trainingMs: number;
}

/** A trained model: what to store, what it scored, and the held-out set other models are compared on. */
export interface TrainedCauseModel {
  artifact: CauseModelArtifact;
  report: TrainingReport;
  heldOut: { features: CauseFeatures[]; labels: number[] };
}

/**
 * Trains the cause model: stratified k-fold cross-validation gives out-of-fold probabilities,
 * on which the calibration temperature is fitted; the final booster trains on everything and is
 * evaluated, calibrated, on scenarios from another seed.
 */
export async function trainCauseModel(opts: TrainOptions): Promise<TrainedCauseModel> {
  const started = performance.now();
  const folds = opts.folds ?? 5;
  const params = opts.params ?? DEFAULT_PARAMS;
  const evalSeed = opts.evalSeed ?? opts.seed + 1_000_003;
  const evalSamples = opts.evalSamples ?? 1800;
  if (evalSeed === opts.seed) throw new RangeError('the evaluation seed must differ from the training seed');
  const examples = buildExamples(opts.seed, opts.samples, opts.labels ?? []);
  const fold = stratifiedFolds(examples, folds, opts.seed);
  const oof: number[][] = new Array<number[]>(examples.length);
  const foldMacroF1: number[] = [];
  for (let k = 0; k < folds; k++) {
    const train = expand(examples.filter((_, i) => fold[i] !== k));
    const testIdx = examples.map((_, i) => i).filter((i) => fold[i] === k);
    const probs = await withBooster(await trainBooster(train.rows, train.labels, CLASSES.length, params), (b) =>
      b.predict(testIdx.map((i) => examples[i]!.x)),
    );
    testIdx.forEach((i, n) => (oof[i] = probs[n]!));
    foldMacroF1.push(
      classificationReport(
        probs,
        testIdx.map((i) => examples[i]!.y),
        CLASSES,
      ).macroF1,
    );
  }
  const labels = examples.map((e) => e.y);
  const temperature = fitTemperature(oof, labels);
  const uncalibratedEce = classificationReport(oof, labels, CLASSES).ece;
  const crossValidation = {
    ...classificationReport(
      oof.map((p) => applyTemperature(p, temperature)),
      labels,
      CLASSES,
    ),
    foldMacroF1,
    uncalibratedEce,
  };

  const all = expand(examples);
  const evalSet = generateScenarios(evalSeed, evalSamples);
  const heldOut = {
    features: evalSet.map((s) => extractFeatures(s.input)),
    labels: evalSet.map((s) => CLASSES.indexOf(s.cause)),
  };
  const evalRows = heldOut.features.map(encodeFeatures);
  return withBooster(await trainBooster(all.rows, all.labels, CLASSES.length, params), (booster) => {
    const predict = (rows: number[][]) => booster.predict(rows).map((p) => applyTemperature(p, temperature));
    const evaluation = classificationReport(predict(evalRows), heldOut.labels, CLASSES);
    const handProbs = predict(HAND_WRITTEN.map((h) => encodeFeatures(extractFeatures(h.input))));
    const handWritten = {
      ...classificationReport(
        handProbs,
        HAND_WRITTEN.map((h) => CLASSES.indexOf(h.expected)),
        CLASSES,
      ),
      misses: HAND_WRITTEN.flatMap((h, i) => {
        const p = handProbs[i]!;
        const predicted = CLASSES[argmax(p)]!;
        return predicted === h.expected ? [] : [{ name: h.name, expected: h.expected, predicted }];
      }),
    };
    const featureImportance = permutationImportance(
      predict,
      evalRows.slice(0, 900),
      heldOut.labels.slice(0, 900),
      FEATURE_NAMES,
      opts.seed,
    );
    const artifact: CauseModelArtifact = {
      format: 'driftguard-cause-model/1',
      featureNames: [...FEATURE_NAMES],
      classes: [...CLASSES],
      temperature,
      baseline: encodeFeatures(baselineFeatures()),
      booster: serializeBooster(booster),
    };
    const report: TrainingReport = {
      seed: opts.seed,
      samples: opts.samples,
      evalSeed,
      evalSamples,
      trainingRows: all.rows.length,
      confirmedLabelDriftIds: (opts.labels ?? []).map((l) => l.driftEventId),
      folds,
      params,
      temperature,
      crossValidation,
      evaluation,
      handWritten,
      featureImportance,
      trainingMs: Math.round(performance.now() - started),
    };
    return { artifact, report, heldOut };
  });
}
