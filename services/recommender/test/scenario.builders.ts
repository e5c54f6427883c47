import type { CorrelatedSignal, DataOf, DetectedDriftChange, JsonValue, ResourceIdentity } from '@driftguard/contracts';
import type { PlanInput } from '../src/codegen/plan-input.js';
import { driftViewOf } from '../src/drift-view.js';

type Analyzed = DataOf<'drift.analyzed.v1'>;

export const OBSERVED = '2026-11-30T14:05:00.000Z';
export const ONCALL = 'arn:aws:sts::123456789012:assumed-role/oncall-sre/alice';

export function change(
  path: string,
  declared: JsonValue | undefined,
  actual: JsonValue | undefined,
  extra: Partial<DetectedDriftChange> = {},
): DetectedDriftChange {
  const changeType = declared === undefined ? 'added' : actual === undefined ? 'removed' : 'modified';
  return {
    path,
    ...(declared !== undefined ? { declared } : {}),
    ...(actual !== undefined ? { actual } : {}),
    changeType,
    sensitive: false,
    securityRuleIds: [],
    ...extra,
  };
}

export function incident(status: 'open' | 'resolved' | undefined, extra: Partial<CorrelatedSignal> = {}): CorrelatedSignal {
  return {
    kind: 'incident',
    source: 'pagerduty',
    sourceId: 'Q1INC0042',
    occurredAt: '2026-11-30T13:40:00.000Z',
    match: 'resource',
    score: 0.9,
    summary: 'Checkout latency above SLO',
    ...(status ? { status } : {}),
    severity: 'P1',
    ...extra,
  };
}

export interface ScenarioInput {
  resource: ResourceIdentity;
  driftType?: 'modified' | 'deleted' | 'added' | 'moved';
  changes?: DetectedDriftChange[];
  cause?: Analyzed['cause']['category'];
  causeConfidence?: number;
  production?: boolean;
  securityRuleIds?: string[];
  iacTool?: 'terraform' | 'kubernetes' | 'cloudformation';
  attribution?: Analyzed['attribution'];
  correlated?: CorrelatedSignal[];
  temporal?: Partial<NonNullable<Analyzed['temporal']>>;
  previousAddress?: string;
  analysisVersion?: number;
  driftEventId?: number;
}

/** A drift.analyzed payload as the extended analysis publishes it. */
export function analyzed(s: ScenarioInput): Analyzed {
  const changes = s.changes ?? [];
  const rules = s.securityRuleIds ?? [...new Set(changes.flatMap((c) => c.securityRuleIds))];
  return {
    driftEventId: s.driftEventId ?? 1,
    severityScore: rules.length > 0 ? 0.9 : 0.4,
    confidenceScore: s.causeConfidence ?? 0.85,
    priority: rules.length > 0 ? 'critical' : 'medium',
    cause: { category: s.cause ?? 'unknown', confidence: s.causeConfidence ?? 0.85 },
    riskAssessment: {
      production: s.production ?? true,
      security: { score: rules.length > 0 ? 0.9 : 0.1, reasons: rules.map((r) => `rule ${r} hit`) },
    },
    drift: {
      driftType: s.driftType ?? 'modified',
      resource: s.resource,
      changedPaths: changes.map((c) => c.path),
      observedAt: OBSERVED,
      changes,
      isSecurityCritical: rules.length > 0,
      securityRuleIds: rules,
      ...(s.iacTool ? { iacTool: s.iacTool } : {}),
      ...(s.previousAddress ? { previousAddress: s.previousAddress } : {}),
      environment: {
        name: s.production === false ? 'staging' : 'shop-prod',
        slug: 'shop',
        tier: s.production === false ? 'staging' : 'production',
        production: s.production ?? true,
      },
    },
    causeDetail: {
      method: 'rules',
      rule: 'person-during-severe-incident',
      evidence: ['changed 25 min after incident Q1INC0042 opened'],
    },
    attribution:
      s.attribution === undefined
        ? {
            principal: ONCALL,
            userAgent: 'aws-cli/2.15',
            source: 'cloudtrail',
            sourceId: 'evt-1',
            principalKind: 'role_session',
            channel: 'cli',
          }
        : s.attribution,
    correlated: s.correlated ?? [],
    temporal: {
      timeZone: 'UTC',
      businessHours: true,
      weekend: false,
      insideIncident: false,
      insideMaintenance: false,
      insideDeployment: false,
      minutesFromNearestSignal: 25,
      ...s.temporal,
    },
    analysisVersion: s.analysisVersion ?? 1,
    logicVersion: 'analysis-2',
  };
}

/** The plan input the handler would build, with the declared configuration and live body given. */
export function planOf(data: Analyzed, declared: JsonValue | null = null, live: JsonValue | null = null): PlanInput {
  const view = driftViewOf(data, null);
  if (!view) throw new Error('scenario without a drift summary');
  return {
    tool: view.iacTool,
    driftType: view.driftType,
    resource: view.resource,
    changes: view.changes.map((c) => ({ ...c })),
    omittedChanges: 0,
    declared,
    live,
    ...(view.previousAddress ? { previousAddress: view.previousAddress } : {}),
  };
}
