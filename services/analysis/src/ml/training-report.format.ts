import type { TrainingReport } from './cause-model.trainer.js';
import type { ClassificationReport } from './classification.metrics.js';

const f3 = (x: number) => x.toFixed(3);

/** Per-class precision / recall / F1 and the confusion matrix (rows = true cause, columns = predicted). */
export function formatClassification(r: ClassificationReport): string[] {
  const classes = Object.keys(r.perClass);
  const w = Math.max(...classes.map((c) => c.length));
  const lines = [`  ${'cause'.padEnd(w)}  precision  recall  f1     support`];
  for (const c of classes) {
    const m = r.perClass[c]!;
    lines.push(`  ${c.padEnd(w)}  ${f3(m.precision).padEnd(9)}  ${f3(m.recall).padEnd(6)}  ${f3(m.f1).padEnd(5)}  ${m.support}`);
  }
  lines.push(`  confusion (rows true, columns predicted, in the order above):`);
  for (const [i, row] of r.confusion.entries())
    lines.push(`  ${classes[i]!.padEnd(w)}  ${row.map((n) => String(n).padStart(5)).join('')}`);
  return lines;
}

/** The report `dg ml train` prints. */
export function formatTrainingReport(r: TrainingReport): string {
  const cv = r.crossValidation;
  const e = r.evaluation;
  return [
    `trained on ${r.trainingRows} rows (${r.samples} synthetic, seed ${r.seed}; ${r.confirmedLabelDriftIds.length} confirmed labels) in ${(r.trainingMs / 1000).toFixed(1)} s`,
    `cross-validation (${r.folds}-fold stratified, out-of-fold, calibrated): macro-F1 ${f3(cv.macroF1)}  accuracy ${f3(cv.accuracy)}  ECE ${f3(cv.ece)} (uncalibrated ${f3(cv.uncalibratedEce)})`,
    `  fold macro-F1: ${cv.foldMacroF1.map(f3).join(' ')}`,
    ...formatClassification(cv),
    `calibration: temperature ${r.temperature.toFixed(3)}`,
    `held-out evaluation (${r.evalSamples} scenarios, seed ${r.evalSeed}): macro-F1 ${f3(e.macroF1)}  accuracy ${f3(e.accuracy)}  ECE ${f3(e.ece)}`,
    ...formatClassification(e),
    `hand-written scenarios (${r.handWritten.confusion.flat().reduce((a, b) => a + b, 0)}, one or more per cause): macro-F1 ${f3(r.handWritten.macroF1)}  accuracy ${f3(r.handWritten.accuracy)}  ECE ${f3(r.handWritten.ece)}`,
    ...r.handWritten.misses.map((m) => `  missed: ${m.name}: expected ${m.expected}, predicted ${m.predicted}`),
    `top features (permutation importance, held-out log-loss increase):`,
    ...r.featureImportance.slice(0, 10).map((fi) => `  ${fi.feature.padEnd(24)} ${fi.importance.toFixed(4)}`),
  ].join('\n');
}
