import { sql, type Kysely } from 'kysely';
import type { Database } from '@driftguard/db';

export interface DriftDetail {
  id: number;
  environmentId: number;
  driftType: string;
  detectedAt: Date;
  resolvedAt: Date | null;
  resolutionType: string | null;
  severityScore: number | null;
  confidenceScore: number | null;
  resource: unknown;
  riskAssessment: unknown;
  changes: {
    propertyPath: string;
    changeType: string;
    declaredValue: unknown;
    actualValue: unknown;
    isSecurityCritical: boolean;
  }[];
  cause: { category: string; confidence: number; factors: unknown; analyzedAt: string } | null;
  predictions: { modelId: number | null; result: unknown; predictedAt: string }[];
  recommendations: {
    id: number;
    type: string;
    priority: string;
    /** open, superseded, expired, accepted, rejected or implemented */
    status: string;
    rationale: string;
    confidenceScore: number;
    estimatedEffort: string | null;
    /** the ordered steps with their commands and generated code (HCL, JSON Patch, unified diffs, …) */
    steps: unknown;
    riskAssessment: unknown;
    createdAt: string;
    expiresAt: string | null;
    implementedAt: string | null;
  }[];
  notifications: {
    id: number;
    channelId: number | null;
    type: string;
    priority: string | null;
    sentAt: string | null;
    deliveredAt: string | null;
  }[];
  correlations: { type: string; externalSystem: string; externalId: string; score: number | null }[];
}

/**
 * One drift with everything the detail view shows, in one round trip: each list is an
 * index lookup by drift_event_id. Undefined when the drift is not the organization's.
 */
export async function driftDetail(db: Kysely<Database>, orgId: number, driftId: number): Promise<DriftDetail | undefined> {
  const r = await sql<{
    id: number;
    environment_id: number;
    drift_type: string;
    detected_at: Date;
    resolved_at: Date | null;
    resolution_type: string | null;
    severity_score: string | null;
    confidence_score: string | null;
    resource: unknown;
    risk_assessment: unknown;
    changes: DriftDetail['changes'] | null;
    cause: DriftDetail['cause'];
    predictions: DriftDetail['predictions'] | null;
    recommendations: DriftDetail['recommendations'] | null;
    notifications: DriftDetail['notifications'] | null;
    correlations: DriftDetail['correlations'] | null;
  }>`
    SELECT d.id, d.environment_id, d.drift_type, d.detected_at, d.resolved_at, d.resolution_type,
      d.severity_score, d.confidence_score, d.metadata -> 'resource' AS resource, d.risk_assessment,
      (SELECT json_agg(json_build_object('propertyPath', c.property_path, 'changeType', c.change_type,
          'declaredValue', c.declared_value, 'actualValue', c.actual_value, 'isSecurityCritical', c.is_security_critical)
          ORDER BY c.id)
        FROM drift_changes c WHERE c.drift_event_id = d.id) AS changes,
      (SELECT json_build_object('category', a.cause_category, 'confidence', a.confidence_score,
          'factors', a.contributing_factors, 'analyzedAt', a.analyzed_at)
        FROM drift_cause_analysis a WHERE a.drift_event_id = d.id) AS cause,
      (SELECT json_agg(json_build_object('modelId', p.ml_model_id, 'result', p.prediction_result, 'predictedAt', p.predicted_at)
          ORDER BY p.id)
        FROM ml_predictions p WHERE p.drift_event_id = d.id) AS predictions,
      (SELECT json_agg(json_build_object('id', x.id, 'type', x.recommendation_type, 'priority', x.priority,
          'status', x.status, 'rationale', x.rationale, 'confidenceScore', x.confidence_score,
          'estimatedEffort', x.estimated_effort, 'steps', x.implementation_steps, 'riskAssessment', x.risk_assessment,
          'createdAt', x.created_at, 'expiresAt', x.expires_at, 'implementedAt', x.implemented_at) ORDER BY x.id)
        FROM recommendations x WHERE x.drift_event_id = d.id) AS recommendations,
      (SELECT json_agg(json_build_object('id', n.id, 'channelId', n.channel_id, 'type', n.notification_type,
          'priority', n.priority, 'sentAt', n.sent_at, 'deliveredAt', n.delivered_at) ORDER BY n.id)
        FROM notifications n WHERE n.drift_event_id = d.id) AS notifications,
      (SELECT json_agg(json_build_object('type', k.correlation_type, 'externalSystem', k.external_system,
          'externalId', k.external_id, 'score', k.correlation_score) ORDER BY k.correlation_score DESC NULLS LAST)
        FROM correlation_events k WHERE k.drift_event_id = d.id) AS correlations
    FROM drift_events d
    WHERE d.id = ${driftId} AND d.environment_id IN (SELECT id FROM environments WHERE organization_id = ${orgId})`.execute(db);
  const x = r.rows[0];
  if (x === undefined) return undefined;
  return {
    id: x.id,
    environmentId: x.environment_id,
    driftType: x.drift_type,
    detectedAt: x.detected_at,
    resolvedAt: x.resolved_at,
    resolutionType: x.resolution_type,
    severityScore: x.severity_score === null ? null : Number(x.severity_score),
    confidenceScore: x.confidence_score === null ? null : Number(x.confidence_score),
    resource: x.resource,
    riskAssessment: x.risk_assessment,
    changes: x.changes ?? [],
    cause: x.cause,
    predictions: x.predictions ?? [],
    recommendations: x.recommendations ?? [],
    notifications: x.notifications ?? [],
    correlations: x.correlations ?? [],
  };
}
