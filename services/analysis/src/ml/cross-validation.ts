import { seededRandom } from '../cause/seeded-random.js';
import type { Example } from './training-data.js';

/**
 * Stratified k-fold: each class's examples are shuffled (seeded) and dealt round-robin into `k`
 * folds, so every fold has the class mix of the whole set. Returns the fold of each example.
 */
export function stratifiedFolds(examples: readonly Example[], k: number, seed: number): number[] {
  const r = seededRandom(seed);
  const fold = new Array<number>(examples.length).fill(0);
  const byClass = new Map<number, number[]>();
  examples.forEach((e, i) => {
    const list = byClass.get(e.y) ?? [];
    list.push(i);
    byClass.set(e.y, list);
  });
  for (const indices of byClass.values()) {
    for (let i = indices.length - 1; i > 0; i--) {
      const j = Math.floor(r.next() * (i + 1));
      [indices[i], indices[j]] = [indices[j]!, indices[i]!];
    }
    indices.forEach((idx, n) => (fold[idx] = n % k));
  }
  return fold;
}
