import type { CauseCategory, DriftDetectedV1 } from '@driftguard/contracts';
import { z } from 'zod';
import { matchesIacPipeline } from '../cause/actor.classify.js';
import type { AlertSignal, CauseActor, CauseInput, IncidentSignal } from '../cause/cause-input.js';
import type { CorrelatedSignal } from './correlate.js';
import { bodyOf, signalFacts, type SignalBody } from './signal-facts.js';

/** Who changed the resource, and the record that says so. */
export interface Attribution {
  actor: CauseActor;
  source: string;
  sourceId: string;
  at: Date;
  link?: string;
}

/** What analysis knows of the drift beyond drift.detected and its signals. */
export interface DriftCircumstances {
  /** When the analysis runs (open / resolved state of signals). */
  analyzedAt: Date;
  timeZone: string;
  iacPrincipals: readonly RegExp[];
  /** Earlier drifts of the environment by cause (confirmed, else predicted). */
  history: Partial<Record<CauseCategory, number>>;
  revertedToEarlierValue: boolean;
  /** Kubernetes managedFields managers ingest credited with the changed fields (drift metadata). */
  fieldManagers: readonly { manager: string; time?: string | undefined }[];
}

/** PagerDuty priorities (P1…P5), SEV levels, Alertmanager / generic severities and urgencies, as 1 (worst) … 5. */
function incidentSeverity(b: SignalBody): IncidentSignal['severity'] {
  const p = /^(?:p|sev)\s*-?\s*([1-5])/i.exec(b.priority ?? b.severity ?? '');
  if (p) return Number(p[1]) as IncidentSignal['severity'];
  if (/critical|high/i.test(b.urgency ?? b.severity ?? '')) return 2;
  if (/low|info/i.test(b.urgency ?? b.severity ?? '')) return 4;
  return 3;
}

function alertCategory(b: SignalBody): AlertSignal['category'] {
  const text = `${b.alertname ?? ''} ${b.summary ?? ''}`;
  if (/secur|guardduty|intrusion|unauthori[sz]ed/i.test(text)) return 'security';
  if (/cpu|memory|load|saturat|throttl|capacity/i.test(text)) return 'load';
  if (/latenc|slow/i.test(text)) return 'latency';
  if (/error|5xx|fail/i.test(text)) return 'error';
  if (/down|unavailab|health|unreachable/i.test(text)) return 'availability';
  return 'other';
}

const CloudTrailBody = z.looseObject({ eventID: z.string().optional(), awsRegion: z.string().optional() });

/** The CloudTrail console's page of one event, when the record names its region. */
function cloudTrailLink(c: CorrelatedSignal): string | undefined {
  const b = CloudTrailBody.safeParse(c.signal.data);
  const region = b.success ? b.data.awsRegion : undefined;
  if (c.signal.external_system !== 'cloudtrail' || !region) return undefined;
  return `https://${region}.console.aws.amazon.com/cloudtrail/home?region=${region}#/events/${encodeURIComponent(c.signal.external_id)}`;
}

/**
 * The principal of the audit event naming the resource closest to the observation (an AWS
 * service acting on its own is named by its service principal); for Kubernetes objects without
 * one, the managedFields manager ingest credited with the changed fields.
 */
function attributionOf(correlated: readonly CorrelatedSignal[], ctx: DriftCircumstances): Attribution | null {
  const audit = correlated
    .filter((c) => c.signal.context_type === 'audit_event' && c.match === 'resource' && c.signal.actor)
    .sort((a, b) => Math.abs(a.offsetMs) - Math.abs(b.offsetMs))[0];
  if (audit?.signal.actor) {
    const b = bodyOf(audit);
    const invokedBy = b.userIdentity?.invokedBy ?? null;
    const principal = b.userIdentity?.type === 'AWSService' && invokedBy ? invokedBy : audit.signal.actor;
    const link = audit.link ?? cloudTrailLink(audit);
    return {
      actor: {
        principal,
        userAgent: b.userAgent ?? null,
        invokedBy,
        isIacPipeline: matchesIacPipeline(principal, ctx.iacPrincipals),
      },
      source: audit.signal.external_system,
      sourceId: audit.signal.external_id,
      at: audit.signal.occurred_at,
      ...(link ? { link } : {}),
    };
  }
  // The appliers of the declared state (client-side / server-side apply, Argo CD, Helm, Terraform) did not drift it.
  const manager = ctx.fieldManagers.find(
    (m) => !/^(kubectl|kubectl-client-side-apply|argocd.*|helm|terraform.*|before-first-apply)$/i.test(m.manager),
  );
  if (!manager) return null;
  const at = manager.time ? new Date(manager.time) : null;
  return {
    // A controller's field manager (`kube-controller-manager`, `karpenter`) reads as one.
    actor: { principal: manager.manager, userAgent: null, invokedBy: null, isIacPipeline: false },
    source: 'managedFields',
    sourceId: manager.manager,
    at: at && !Number.isNaN(at.getTime()) ? at : new Date(0),
  };
}

/**
 * The cause model's input from drift.detected, the signals correlated with it and what else
 * analysis knows of the drift and its environment.
 */
export function buildCauseInput(
  data: DriftDetectedV1['data'],
  observedAt: Date,
  correlated: readonly CorrelatedSignal[],
  ctx: DriftCircumstances,
): { input: CauseInput; attribution: Attribution | null } {
  const of = (...kinds: string[]) => correlated.filter((c) => kinds.includes(c.signal.context_type));
  const end = (c: CorrelatedSignal) => signalFacts(c, ctx.analyzedAt).endedAt;
  const attribution = attributionOf(correlated, ctx);
  const ruleIds = [...new Set(data.changes.flatMap((c) => c.securityRuleIds))];
  const input: CauseInput = {
    driftType: data.driftType,
    detectedAt: observedAt,
    changedAt: attribution && attribution.at.getTime() > 0 ? attribution.at : null,
    timeZone: ctx.timeZone,
    resourceType: data.resource.type,
    changedPaths: data.changes.map((c) => c.path),
    securityRules: { ids: ruleIds, critical: data.isSecurityCritical },
    revertedToEarlierValue: ctx.revertedToEarlierValue,
    actor: attribution?.actor ?? null,
    incidents: of('incident').map((c) => {
      const b = bodyOf(c);
      return {
        startedAt: c.signal.occurred_at,
        endedAt: end(c),
        severity: incidentSeverity(b),
        security: /secur/i.test(`${b.title ?? ''} ${b.summary ?? ''}`),
      };
    }),
    alerts: of('alert', 'security_event').map((c) => ({
      startedAt: c.signal.occurred_at,
      endedAt: end(c),
      category: c.signal.context_type === 'security_event' ? 'security' : alertCategory(bodyOf(c)),
    })),
    deployments: of('deployment').map((c) => ({
      startedAt: c.signal.occurred_at,
      endedAt: end(c),
      succeeded: !/fail|error/i.test(bodyOf(c).status ?? ''),
    })),
    maintenance: of('maintenance').map((c) => ({ startedAt: c.signal.occurred_at, endedAt: end(c) })),
    commits: of('git_commit').map((c) => ({
      committedAt: c.signal.occurred_at,
      touchedDeclaringFile: c.match === 'declaring_file',
    })),
    history: ctx.history,
  };
  return { input, attribution };
}
