import { seededRandom } from '../cause/seeded-random.js';
import { logLoss } from './classification.metrics.js';

export interface FeatureImportance {
  feature: string;
  /** Increase of held-out log-loss when the feature's column is shuffled; ≤ 0 = the model does not use it. */
  importance: number;
}

/**
 * Permutation importance (Breiman 2001; scikit-learn's `permutation_importance`): the WASM
 * booster exposes neither gain nor split counts, so each column of the held-out set is shuffled
 * in turn and the loss it costs the calibrated model is measured. Sorted, most important first.
 */
export function permutationImportance(
  predict: (rows: number[][]) => number[][],
  rows: readonly number[][],
  labels: readonly number[],
  featureNames: readonly string[],
  seed: number,
): FeatureImportance[] {
  const r = seededRandom(seed);
  const base = logLoss(predict(rows.map((x) => x.slice())), labels);
  return featureNames
    .map((feature, j) => {
      const column = rows.map((x) => x[j] ?? 0);
      for (let i = column.length - 1; i > 0; i--) {
        const k = Math.floor(r.next() * (i + 1));
        [column[i], column[k]] = [column[k]!, column[i]!];
      }
      const shuffled = rows.map((x, i) => {
        const copy = x.slice();
        copy[j] = column[i] ?? 0;
        return copy;
      });
      return { feature, importance: logLoss(predict(shuffled), labels) - base };
    })
    .sort((a, b) => b.importance - a.importance);
}
