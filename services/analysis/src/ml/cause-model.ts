import type { CauseCategory } from '@driftguard/contracts';
import type { XGBoostBooster } from 'ml-xgboost';
import { FEATURE_GROUPS, type CauseFeatures, type FeatureGroup } from '../cause/feature-names.js';
import { loadBooster } from './booster.js';
import { argmax } from './classification.metrics.js';
import type { CauseModelArtifact } from './model-artifact.js';
import { applyTemperature } from './temperature.calibration.js';

/** How much one group of features moved the predicted cause's probability. */
export interface FeatureContribution {
  group: FeatureGroup;
  /** p(cause | features) − p(cause | this group at its baseline); positive = it argued for the cause. */
  delta: number;
}

export interface ModelPrediction {
  cause: CauseCategory;
  probabilities: Record<CauseCategory, number>;
  contributions: FeatureContribution[];
}

const GROUPS = Object.keys(FEATURE_GROUPS) as FeatureGroup[];

/**
 * A loaded cause model. Contributions are measured by group ablation: each feature group
 * (incident timing, actor, properties, …) is set to its baseline value, that of a drift with
 * nothing correlated, and the drop in the predicted cause's calibrated probability is the
 * group's contribution. All G+1 rows go through the booster in one call, so explaining costs
 * one batched prediction. Free the model with `free()`.
 */
export class CauseModel {
  private readonly index: ReadonlyMap<string, number>;

  private constructor(
    private readonly booster: XGBoostBooster,
    readonly artifact: CauseModelArtifact,
    readonly version: string,
  ) {
    this.index = new Map(artifact.featureNames.map((n, i) => [n, i]));
  }

  static async load(artifact: CauseModelArtifact, version: string): Promise<CauseModel> {
    return new CauseModel(await loadBooster(artifact.booster.modelBase64, artifact.booster.options), artifact, version);
  }

  /** The vector this model expects, from named features (names it lacks take the baseline). */
  vectorOf(features: CauseFeatures): number[] {
    const named: Record<string, number> = features;
    return this.artifact.featureNames.map((n, i) => named[n] ?? this.artifact.baseline[i] ?? 0);
  }

  /** Calibrated class probabilities of many vectors, in `artifact.classes` order. */
  predictVectors(rows: number[][]): number[][] {
    if (rows.length === 0) return [];
    return this.booster.predict(rows).map((p) => {
      if (!Array.isArray(p) || p.length !== this.artifact.classes.length || p.some((v) => !Number.isFinite(v))) {
        throw new Error(`the booster returned ${JSON.stringify(p)} instead of ${this.artifact.classes.length} probabilities`);
      }
      return applyTemperature(p, this.artifact.temperature);
    });
  }

  /** Cause, calibrated probabilities and group contributions of one drift. */
  predict(features: CauseFeatures): ModelPrediction {
    const row = this.vectorOf(features);
    const ablated = GROUPS.map((g) => {
      const copy = row.slice();
      for (const name of FEATURE_GROUPS[g]) {
        const i = this.index.get(name);
        if (i !== undefined) copy[i] = this.artifact.baseline[i] ?? 0;
      }
      return copy;
    });
    const [probs, ...without] = this.predictVectors([row, ...ablated]);
    if (!probs) throw new Error('the booster returned no prediction');
    const k = argmax(probs);
    const classes = this.artifact.classes;
    const contributions = GROUPS.map((group, g) => ({ group, delta: (probs[k] ?? 0) - (without[g]?.[k] ?? 0) }))
      .filter((c) => Math.abs(c.delta) >= 0.01)
      .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta));
    return {
      cause: classes[k] ?? 'unknown',
      probabilities: Object.fromEntries(classes.map((c, i) => [c, probs[i] ?? 0])) as Record<CauseCategory, number>,
      contributions,
    };
  }

  free(): void {
    this.booster.free();
  }
}
