import {
  ContextKind,
  type DriftAnalyzedV1,
  type DriftAttribution,
  type DriftDetectedV1,
  type Priority,
} from '@driftguard/contracts';
import { changeChannel, classifyActor, principalKindOf } from '../cause/actor.classify.js';
import type { CauseAnalysis } from '../cause/cause.analyzer.js';
import type { Attribution } from '../correlation/cause-input.build.js';
import type { CorrelatedSignal } from '../correlation/correlate.js';
import type { EnvironmentProfile } from '../correlation/environment-profile.js';
import { signalFacts } from '../correlation/signal-facts.js';
import type { RiskAssessment } from '../risk/risk.assess.js';
import { driftSummary } from './drift-summary.js';
import { temporalContext } from './temporal-context.js';

/** Correlated signals drift.analyzed lists (best first). */
const MAX_CORRELATED = 20;
/** Evidence lines drift.analyzed carries (strongest first). */
const MAX_EVIDENCE = 5;

/** Who changed the resource, through what, and whether it was the environment's IaC pipeline. */
export function attributionOf(a: Attribution): DriftAttribution {
  const kind = classifyActor(a.actor);
  // A kubectl field manager (`kubectl-edit`, `kubectl-scale`) names its channel itself.
  const channel = a.source === 'managedFields' && /^kubectl-/.test(a.actor.principal) ? 'kubectl' : changeChannel(a.actor, kind);
  return {
    principal: a.actor.principal,
    userAgent: a.actor.userAgent ?? null,
    source: a.source,
    sourceId: a.sourceId,
    principalKind: principalKindOf(a.actor, kind),
    channel,
    isIacPipeline: a.actor.isIacPipeline === true,
    ...(a.link ? { link: a.link } : {}),
  };
}

function correlatedOf(correlated: readonly CorrelatedSignal[], now: Date): NonNullable<DriftAnalyzedV1['data']['correlated']> {
  return correlated.slice(0, MAX_CORRELATED).flatMap((c) => {
    const kind = ContextKind.safeParse(c.signal.context_type);
    if (!kind.success) return [];
    const facts = signalFacts(c, now);
    return [
      {
        kind: kind.data,
        source: c.signal.external_system,
        sourceId: c.signal.external_id,
        occurredAt: c.signal.occurred_at.toISOString(),
        match: c.match,
        score: c.score,
        ...(c.summary !== undefined ? { summary: c.summary } : {}),
        ...(c.link !== undefined ? { link: c.link } : {}),
        ...(facts.status ? { status: facts.status } : {}),
        ...(facts.severity ? { severity: facts.severity } : {}),
        ...(facts.actor ? { actor: facts.actor } : {}),
      },
    ];
  });
}

/** drift.analyzed's body: everything the recommender and notifier need without reading analysis tables. */
export function analyzedEvent(a: {
  data: DriftDetectedV1['data'];
  observedAt: Date;
  profile: EnvironmentProfile;
  correlated: readonly CorrelatedSignal[];
  attribution: Attribution | null;
  analysis: CauseAnalysis;
  risk: RiskAssessment;
  severity: number;
  priority: Priority;
  version: number;
  logicVersion: string;
  now: Date;
}): DriftAnalyzedV1['data'] {
  const { analysis } = a;
  return {
    driftEventId: a.data.driftEventId,
    severityScore: a.severity,
    confidenceScore: analysis.confidence,
    priority: a.priority,
    cause: { category: analysis.cause, confidence: analysis.confidence },
    riskAssessment: { ...a.risk },
    drift: driftSummary(a.data, a.observedAt, a.profile.summary),
    causeDetail: {
      method: analysis.method,
      ...(analysis.modelVersion ? { modelVersion: analysis.modelVersion } : {}),
      ...(analysis.rule ? { rule: analysis.rule.id } : {}),
      evidence: analysis.evidence.slice(0, MAX_EVIDENCE),
    },
    attribution: a.attribution ? attributionOf(a.attribution) : null,
    correlated: correlatedOf(a.correlated, a.now),
    temporal: temporalContext(a.profile.timeZone, analysis.features, a.correlated),
    analysisVersion: a.version,
    logicVersion: a.logicVersion,
  };
}
