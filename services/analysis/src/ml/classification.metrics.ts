/** Precision, recall and F1 of one class, with its number of true examples. */
export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  macroPrecision: number;
  macroRecall: number;
  macroF1: number;
  perClass: Record<string, ClassMetrics>;
  /** `confusion[true][predicted]`, in `classes` order. */
  confusion: number[][];
  /** Expected calibration error of the top-class probability. */
  ece: number;
}

/** Index of the largest value. */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  return best;
}

const safeDiv = (a: number, b: number) => (b === 0 ? 0 : a / b);
const mean = (xs: number[]) =>
  safeDiv(
    xs.reduce((s, x) => s + x, 0),
    xs.length,
  );

/**
 * Expected calibration error: predictions bucketed by their top probability into `bins` equal
 * bins; the support-weighted mean gap between each bin's mean confidence and its accuracy.
 * 0 means "a stated 0.8 is right 80% of the time" holds everywhere.
 */
export function expectedCalibrationError(probs: readonly number[][], labels: readonly number[], bins = 15): number {
  const conf = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  const count = new Array<number>(bins).fill(0);
  probs.forEach((p, i) => {
    const k = argmax(p);
    const c = p[k] ?? 0;
    const b = Math.min(bins - 1, Math.floor(c * bins));
    conf[b]! += c;
    hits[b]! += k === labels[i] ? 1 : 0;
    count[b]! += 1;
  });
  let ece = 0;
  for (let b = 0; b < bins; b++)
    if (count[b]) ece += (count[b]! / probs.length) * Math.abs(conf[b]! / count[b]! - hits[b]! / count[b]!);
  return ece;
}

/** The full report of predicted probabilities against true class indices. */
export function classificationReport(
  probs: readonly number[][],
  labels: readonly number[],
  classes: readonly string[],
): ClassificationReport {
  const n = classes.length;
  const confusion = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  probs.forEach((p, i) => {
    confusion[labels[i]!]![argmax(p)]! += 1;
  });
  const perClass: Record<string, ClassMetrics> = {};
  classes.forEach((name, c) => {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((s, x) => s + x, 0);
    const predicted = confusion.reduce((s, row) => s + row[c]!, 0);
    const precision = safeDiv(tp, predicted);
    const recall = safeDiv(tp, support);
    perClass[name] = { precision, recall, f1: safeDiv(2 * precision * recall, precision + recall), support };
  });
  const all = Object.values(perClass);
  const correct = confusion.reduce((s, row, c) => s + row[c]!, 0);
  return {
    accuracy: safeDiv(correct, probs.length),
    macroPrecision: mean(all.map((m) => m.precision)),
    macroRecall: mean(all.map((m) => m.recall)),
    macroF1: mean(all.map((m) => m.f1)),
    perClass,
    confusion,
    ece: expectedCalibrationError(probs, labels),
  };
}

/** Mean negative log-likelihood of the true classes. */
export function logLoss(probs: readonly number[][], labels: readonly number[]): number {
  return mean(probs.map((p, i) => -Math.log(Math.max(1e-12, p[labels[i]!] ?? 0))));
}
