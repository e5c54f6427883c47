import type { CauseCategory } from '@driftguard/contracts';
import type { CauseModel, FeatureContribution } from '../ml/cause-model.js';
import { evidenceOf, extractFeatures } from './cause-features.js';
import type { CauseInput } from './cause-input.js';
import { applyRules } from './cause-rules.js';
import type { CauseFeatures } from './feature-names.js';

/** `unknown` is the absence of a conclusion, so it is never stated with more confidence than this. */
export const UNKNOWN_MAX_CONFIDENCE = 0.35;

/** The probable cause of a drift, how sure, and why. */
export interface CauseAnalysis {
  cause: CauseCategory;
  /** Calibrated probability of `cause` for the model (capped for `unknown`); a fixed prior for rules. */
  confidence: number;
  method: 'model' | 'rules';
  /** Model version (`method: 'model'`). */
  modelVersion?: string;
  /** Calibrated probability of every cause (`method: 'model'`). */
  probabilities?: Record<CauseCategory, number>;
  /** Feature groups that moved the probability most (`method: 'model'`), strongest first. */
  contributions: FeatureContribution[];
  /** The rule that decided (`method: 'rules'`). */
  rule?: { id: string; description: string };
  /** Why the model was not used when one was active. */
  fallbackReason?: string;
  /** Signals that correlate with the change, in words. */
  evidence: string[];
  features: CauseFeatures;
}

/**
 * Decides the cause of one drift. With a model, its calibrated prediction; without one, or when
 * it fails, the transparent rules, saying so. With no evidence at all (no signal, no audit
 * event), the answer is `unknown` at low confidence whatever the model says: a guess is worse
 * than an honest "not known". Never throws for a well-typed input.
 */
export function analyzeCause(input: CauseInput, model: CauseModel | null): CauseAnalysis {
  const features = extractFeatures(input);
  const evidence = evidenceOf(features);
  if (model) {
    try {
      const p = model.predict(features);
      const noEvidence = evidence.length === 0;
      const cause = noEvidence ? 'unknown' : p.cause;
      const confidence = cause === 'unknown' ? Math.min(UNKNOWN_MAX_CONFIDENCE, p.probabilities.unknown) : p.probabilities[cause];
      return {
        cause,
        confidence: round2(confidence),
        method: 'model',
        modelVersion: model.version,
        probabilities: p.probabilities,
        contributions: p.contributions.slice(0, 5),
        evidence,
        features,
      };
    } catch (err) {
      return rules(features, evidence, `model ${model.version} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return rules(features, evidence);
}

function rules(features: CauseFeatures, evidence: string[], fallbackReason?: string): CauseAnalysis {
  const rule = applyRules(features);
  return {
    cause: rule.cause,
    confidence: rule.confidence,
    method: 'rules',
    rule: { id: rule.id, description: rule.description },
    contributions: [],
    evidence,
    features,
    ...(fallbackReason ? { fallbackReason } : {}),
  };
}

/** drift_cause_analysis.confidence_score is numeric(3,2). */
const round2 = (x: number) => Math.round(x * 100) / 100;
