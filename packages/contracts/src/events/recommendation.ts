import { z } from 'zod';
import { envelopeOf } from '../envelope.js';
import { EstimatedEffort, IacTool, Priority, RecommendationType } from '../enums.js';
import { JsonValue } from '../json.js';
import { AnalyzedDriftSummary, CauseDetail, CorrelatedSignal, DriftAttribution, TemporalContext } from './drift.js';
import { CauseCategory } from '../enums.js';
import { ResourceIdentity } from './resource.js';

/** A file change a step applies, in a format a real parser reads. */
export const StepPatch = z.object({
  /**
   * `hcl`: a block or attribute snippet; `unified_diff`: a diff against `file`; `json_patch`: RFC
   * 6902 operations (JSON text); `strategic_merge`: a Kubernetes strategic-merge patch (YAML);
   * `yaml` / `json`: a whole document (manifest, CloudFormation template fragment, import list).
   */
  format: z.enum(['hcl', 'unified_diff', 'json_patch', 'strategic_merge', 'yaml', 'json']),
  /** the file it applies to, relative to the repository root, when known */
  file: z.string().optional(),
  content: z.string(),
});
export type StepPatch = z.infer<typeof StepPatch>;

/** One ordered step of a recommendation: what to do, and where it can be, the command and the patch. */
export const RecommendationStep = z.object({
  title: z.string().min(1),
  text: z.string(),
  command: z.string().optional(),
  patch: StepPatch.optional(),
});
export type RecommendationStep = z.infer<typeof RecommendationStep>;

/** What following the recommendation risks. */
export const RecommendationRisk = z.object({
  successProbability: z.number().min(0).max(1),
  potentialImpacts: z.array(z.string()),
  blastRadius: z.enum(['resource', 'service', 'environment', 'organization']),
});
export type RecommendationRisk = z.infer<typeof RecommendationRisk>;

/** The analysis a recommendation was made from, as drift.analyzed carried it. */
export const AnalysisSummary = z.object({
  analysisVersion: z.number().int().positive().optional(),
  severityScore: z.number().min(0).max(1),
  confidenceScore: z.number().min(0).max(1),
  priority: Priority,
  cause: z.object({ category: CauseCategory, confidence: z.number().min(0).max(1) }),
  causeDetail: CauseDetail.optional(),
  attribution: DriftAttribution.nullable().optional(),
  /** the best correlated signals (at most 10) */
  correlated: z.array(CorrelatedSignal).optional(),
  temporal: TemporalContext.optional(),
  riskAssessment: z.record(z.string(), JsonValue).optional(),
});
export type AnalysisSummary = z.infer<typeof AnalysisSummary>;

export const RecommendationCreatedV1Data = z.object({
  recommendationId: z.number().int().positive(),
  driftEventId: z.number().int().positive(),
  recommendationType: RecommendationType,
  priority: Priority,
  confidenceScore: z.number().min(0).max(1),
  rationale: z.string(),
  /** each step's text, in order; `steps` has the commands and patches */
  implementationSteps: z.array(z.string()),
  estimatedEffort: EstimatedEffort.optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  // The fields below were added later, so they are optional while older publishers drain.
  steps: z.array(RecommendationStep).optional(),
  riskAssessment: RecommendationRisk.optional(),
  /** the open recommendation of the same drift this one replaces */
  supersedes: z.number().int().positive().optional(),
  /** which policy decided: the product's defaults, or an organization's or environment's override */
  policy: z
    .object({
      source: z.enum(['default', 'organization', 'environment']),
      version: z.number().int().nonnegative(),
      rule: z.string(),
    })
    .optional(),
  recommendedBy: z.string().optional(),
  drift: AnalyzedDriftSummary.optional(),
  analysis: AnalysisSummary.optional(),
});
export const RecommendationCreatedV1 = envelopeOf('recommendation.created', RecommendationCreatedV1Data);
export type RecommendationCreatedV1 = z.infer<typeof RecommendationCreatedV1>;

/**
 * An auto_revert the policy lets run unattended, for an executor outside DriftGuard (DriftGuard
 * never changes cloud resources itself). The executor reports back with
 * `cmd.recommendation.respond` (`implemented`, with its result).
 */
export const RemediationRequestedV1Data = z.object({
  recommendationId: z.number().int().positive(),
  driftEventId: z.number().int().positive(),
  tool: IacTool,
  resource: ResourceIdentity,
  steps: z.array(RecommendationStep).min(1),
  reason: z.string(),
  requestedAt: z.iso.datetime({ offset: true }),
});
export const RemediationRequestedV1 = envelopeOf('remediation.requested', RemediationRequestedV1Data);
export type RemediationRequestedV1 = z.infer<typeof RemediationRequestedV1>;
