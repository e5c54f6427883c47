import type { AnalyzedDriftSummary, DataOf, RecommendationStep } from '@driftguard/contracts';
import type { DriftView } from '../drift-view.js';
import type { Recommendation } from './recommend.js';

type Analyzed = DataOf<'drift.analyzed.v1'>;
type Created = DataOf<'recommendation.created.v1'>;

/** Under the bus's 256 KiB event budget with room for the envelope. */
const EVENT_DATA_BUDGET = 200 * 1024;

/** The drift summary the event carries: the analysis's own, else one rebuilt from the view. */
function summaryOf(data: Analyzed, view: DriftView): AnalyzedDriftSummary {
  if (data.drift) return data.drift;
  return {
    driftType: view.driftType,
    resource: view.resource,
    changedPaths: view.changedPaths,
    observedAt: view.observedAt ?? new Date(0).toISOString(),
    iacTool: view.iacTool,
    isSecurityCritical: view.isSecurityCritical,
    securityRuleIds: view.securityRuleIds,
  };
}

const withoutPatches = (steps: RecommendationStep[]): RecommendationStep[] =>
  steps.map(({ patch, ...s }) =>
    patch ? { ...s, text: `${s.text} (The generated ${patch.format} is too large for the alert: see the recommendation.)` } : s,
  );

/**
 * recommendation.created: the recommendation with the drift and analysis summaries, so the
 * notifier builds a complete alert without reading the database. Stays under the event budget
 * by dropping, in turn, the drift's change values and the generated patches (both stay stored).
 */
export function recommendationCreated(a: {
  data: Analyzed;
  view: DriftView;
  rec: Recommendation;
  id: number;
  supersedes: number | undefined;
  recommendedBy: string;
}): Created {
  const { data, view, rec } = a;
  const event: Created = {
    recommendationId: a.id,
    driftEventId: data.driftEventId,
    recommendationType: rec.recommendationType,
    priority: rec.priority,
    confidenceScore: rec.confidenceScore,
    rationale: rec.rationale,
    implementationSteps: rec.steps.map((s) => s.text),
    estimatedEffort: rec.estimatedEffort,
    expiresAt: rec.expiresAt.toISOString(),
    steps: rec.steps,
    riskAssessment: rec.riskAssessment,
    ...(a.supersedes !== undefined ? { supersedes: a.supersedes } : {}),
    policy: rec.policy,
    recommendedBy: a.recommendedBy,
    drift: summaryOf(data, view),
    analysis: {
      ...(data.analysisVersion !== undefined ? { analysisVersion: data.analysisVersion } : {}),
      severityScore: data.severityScore,
      confidenceScore: data.confidenceScore,
      priority: data.priority,
      cause: data.cause,
      ...(data.causeDetail ? { causeDetail: data.causeDetail } : {}),
      ...(data.attribution !== undefined ? { attribution: data.attribution } : {}),
      ...(data.correlated ? { correlated: data.correlated.slice(0, 10) } : {}),
      ...(data.temporal ? { temporal: data.temporal } : {}),
      riskAssessment: data.riskAssessment,
    },
  };
  const size = (e: Created) => Buffer.byteLength(JSON.stringify(e));
  if (size(event) <= EVENT_DATA_BUDGET) return event;
  const { changes: _changes, ...drift } = event.drift ?? summaryOf(data, view);
  const lighter: Created = { ...event, drift };
  if (size(lighter) <= EVENT_DATA_BUDGET) return lighter;
  return { ...lighter, steps: withoutPatches(rec.steps) };
}

/** remediation.requested: the revert plan for an executor outside DriftGuard. */
export function remediationRequested(
  view: DriftView,
  rec: Recommendation,
  id: number,
  at: Date,
): DataOf<'remediation.requested.v1'> {
  return {
    recommendationId: id,
    driftEventId: view.driftEventId,
    tool: view.iacTool,
    resource: view.resource,
    steps: rec.steps,
    reason: rec.rationale,
    requestedAt: at.toISOString(),
  };
}
