import {
  durationMs,
  type DataOf,
  type EstimatedEffort,
  type PolicySource,
  type Priority,
  type RecommendationRisk,
  type RecommendationStep,
  type RecommendationType,
} from '@driftguard/contracts';
import type { PlanInput } from '../codegen/plan-input.js';
import { stepsFor } from '../codegen/steps.js';
import type { DriftView } from '../drift-view.js';
import { decide, type PolicyLayer } from '../policy/policy.evaluate.js';
import { policyFacts } from '../policy/policy-facts.js';
import { rationaleOf } from './rationale.js';
import { riskOf } from './risk.js';

type Analyzed = DataOf<'drift.analyzed.v1'>;

/** A recommendation before it is stored. */
export interface Recommendation {
  recommendationType: RecommendationType;
  priority: Priority;
  confidenceScore: number;
  rationale: string;
  steps: RecommendationStep[];
  riskAssessment: RecommendationRisk;
  estimatedEffort: EstimatedEffort;
  expiresAt: Date;
  policy: { source: PolicySource; version: number; rule: string };
  /** the policy lets this auto_revert run without a person: remediation.requested is published */
  unattended: boolean;
}

const round2 = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 100) / 100;

/** The policy's decision alone: which rule of which layer decides this drift. */
export function decisionFor(data: Analyzed, view: DriftView, layers: readonly PolicyLayer[]) {
  return decide(layers, policyFacts(data, view));
}

/**
 * Decides what to do about an analysed drift and how: the first policy rule that matches (the
 * layers in order, ending with the defaults), the tool's steps and generated code, the
 * rationale, the risk. Pure: everything it needs is passed in.
 */
export function recommend(
  data: Analyzed,
  view: DriftView,
  plan: PlanInput,
  layers: readonly PolicyLayer[],
  now: Date,
): Recommendation {
  const facts = policyFacts(data, view);
  const decision = decide(layers, facts);
  const type = decision.outcome.recommendationType;
  const steps = stepsFor(type, plan);
  // A rule about the cause is as sure as the cause; one about facts (security, incidents, resource kind) as the analysis.
  const confidence = decision.rule.when.causes ? data.cause.confidence : Math.max(data.confidenceScore, 0.7);
  const runnable = steps.some((s) => s.command !== undefined);
  return {
    recommendationType: type,
    priority: decision.outcome.priority,
    confidenceScore: round2(confidence),
    rationale: rationaleOf(data, view, facts, decision),
    steps:
      steps.length > 0
        ? steps
        : [
            {
              title: 'Decide by hand',
              text: 'No tool-specific steps could be generated for this resource: review it with its owner.',
            },
          ],
    riskAssessment: riskOf(type, data, view, facts, {
      declaredFound: plan.declared !== null,
      omittedChanges: plan.omittedChanges,
    }),
    estimatedEffort: decision.outcome.estimatedEffort,
    expiresAt: new Date(now.getTime() + durationMs(decision.outcome.expiresIn)),
    policy: { source: decision.source, version: decision.version, rule: decision.rule.id },
    unattended: type === 'auto_revert' && decision.outcome.unattended === true && runnable,
  };
}
