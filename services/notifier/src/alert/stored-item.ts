import {
  AnalyzedDriftSummary,
  CauseCategory,
  CorrelatedSignal,
  DriftAttribution,
  EnvironmentSummary,
  Priority,
  RecommendationStep,
  RecommendationType,
  type DataOf,
} from '@driftguard/contracts';
import { z } from 'zod';

/**
 * What the notifier keeps of one drift (`notification_group_items.item`): everything an alert
 * says about it, built from the messages that carried it, so a flush reads no other unit's table.
 * Parsed back with this schema whenever it is read.
 */
export const StoredItem = z.object({
  driftEventId: z.number().int().positive(),
  priority: Priority,
  severityScore: z.number().min(0).max(1).nullable(),
  isSecurityCritical: z.boolean(),
  analysisPending: z.boolean(),
  drift: AnalyzedDriftSummary,
  environment: EnvironmentSummary.nullable(),
  cause: z.object({ category: CauseCategory, confidence: z.number(), evidence: z.array(z.string()) }).optional(),
  attribution: DriftAttribution.nullable().optional(),
  correlated: z.array(CorrelatedSignal).optional(),
  recommendation: z
    .object({ id: z.number().int(), type: RecommendationType, rationale: z.string(), steps: z.array(RecommendationStep) })
    .optional(),
});
export type StoredItem = z.infer<typeof StoredItem>;

/** The item a recommendation makes: the complete alert of its drift. */
export function itemFromRecommendation(
  data: DataOf<'recommendation.created.v1'>,
  occurredAt: string,
  previous?: StoredItem,
): StoredItem {
  const drift = data.drift ??
    previous?.drift ?? {
      // Publishers from before `drift` was carried: say what is known.
      driftType: 'modified' as const,
      resource: { type: 'unknown' },
      changedPaths: [],
      observedAt: occurredAt,
    };
  const analysis = data.analysis;
  const steps = data.steps ?? data.implementationSteps.map((text, i) => ({ title: `Step ${i + 1}`, text }));
  return {
    driftEventId: data.driftEventId,
    priority: data.priority,
    severityScore: analysis?.severityScore ?? previous?.severityScore ?? null,
    isSecurityCritical: drift.isSecurityCritical ?? previous?.isSecurityCritical ?? false,
    analysisPending: false,
    drift,
    environment: drift.environment ?? previous?.environment ?? null,
    ...(analysis
      ? {
          cause: {
            category: analysis.cause.category,
            confidence: analysis.cause.confidence,
            evidence: analysis.causeDetail?.evidence ?? [],
          },
          attribution: analysis.attribution ?? null,
          correlated: analysis.correlated ?? [],
        }
      : {}),
    recommendation: { id: data.recommendationId, type: data.recommendationType, rationale: data.rationale, steps },
  };
}

/** The item of a security-critical drift whose analysis has not arrived: what drift.detected knows. */
export function itemFromDetected(data: DataOf<'drift.detected.v1'>, environment: EnvironmentSummary | null): StoredItem {
  return {
    driftEventId: data.driftEventId,
    // Security-critical drifts page: until analysis says otherwise they are treated as critical.
    priority: 'critical',
    severityScore: null,
    isSecurityCritical: data.isSecurityCritical,
    analysisPending: true,
    drift: {
      driftType: data.driftType,
      resource: data.resource,
      changedPaths: data.changes.map((c) => c.path),
      observedAt: data.observedAt ?? data.detectedAt,
      changes: data.changes,
      ...(data.changesTruncated ? { changesTruncated: data.changesTruncated } : {}),
      isSecurityCritical: data.isSecurityCritical,
      securityRuleIds: [...new Set(data.changes.flatMap((c) => c.securityRuleIds))],
      ...(data.scan ? { scan: data.scan } : {}),
      detectedAt: data.detectedAt,
      ...(environment ? { environment } : {}),
    },
    environment,
  };
}

const PRIORITY_RANK: Record<Priority, number> = { low: 0, medium: 1, high: 2, critical: 3 };

/** Orders priorities: `low` < `medium` < `high` < `critical`. */
export function priorityRank(p: Priority): number {
  return PRIORITY_RANK[p];
}

/** Most severe first: priority, then security-critical, then severity score, then drift id. */
export function bySeverity(a: StoredItem, b: StoredItem): number {
  return (
    priorityRank(b.priority) - priorityRank(a.priority) ||
    Number(b.isSecurityCritical) - Number(a.isSecurityCritical) ||
    (b.severityScore ?? 0) - (a.severityScore ?? 0) ||
    a.driftEventId - b.driftEventId
  );
}
