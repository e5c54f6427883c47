import { CauseCategory } from '@driftguard/contracts';
import { extractFeatures } from '../cause/cause-features.js';
import { encodeFeatures, type CauseFeatures } from '../cause/feature-names.js';
import { generateScenarios } from '../cause/scenario.generator.js';

/** A drift whose cause an engineer confirmed on resolution, with the features recorded when it was analyzed. */
export interface ConfirmedLabel {
  driftEventId: number;
  cause: CauseCategory;
  features: CauseFeatures;
}

/** One training example; `weight` copies of it go into training (never split across folds). */
export interface Example {
  x: number[];
  y: number;
  weight: number;
  source: 'synthetic' | 'confirmed';
}

/**
 * A confirmed label counts as this many synthetic examples: an engineer's verdict on a real
 * drift says more about this organization than a generated one, and the library's trainer
 * takes no sample weights, so the row is repeated.
 */
export const CONFIRMED_LABEL_WEIGHT = 5;

export const CLASSES = CauseCategory.options;

/** Synthetic scenarios of `seed` plus the confirmed labels, as examples in class-index form. */
export function buildExamples(seed: number, samples: number, labels: readonly ConfirmedLabel[] = []): Example[] {
  const synthetic = generateScenarios(seed, samples).map((s): Example => ({
    x: encodeFeatures(extractFeatures(s.input)),
    y: CLASSES.indexOf(s.cause),
    weight: 1,
    source: 'synthetic',
  }));
  const confirmed = labels.map((l): Example => ({
    x: encodeFeatures(l.features),
    y: CLASSES.indexOf(l.cause),
    weight: CONFIRMED_LABEL_WEIGHT,
    source: 'confirmed',
  }));
  return [...synthetic, ...confirmed];
}

/** Rows and labels with each example repeated `weight` times. */
export function expand(examples: readonly Example[]): { rows: number[][]; labels: number[] } {
  const rows: number[][] = [];
  const labels: number[] = [];
  for (const e of examples) {
    for (let i = 0; i < e.weight; i++) {
      rows.push(e.x);
      labels.push(e.y);
    }
  }
  return { rows, labels };
}
