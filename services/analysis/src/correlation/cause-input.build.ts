import type { DriftDetectedV1 } from '@driftguard/contracts';
import { z } from 'zod';
import type { AlertSignal, CauseActor, CauseInput, IncidentSignal } from '../cause/cause-input.js';
import type { CorrelatedSignal } from './correlate.js';

/** Who changed the resource, and the audit event that says so. */
export interface Attribution {
  actor: CauseActor;
  source: string;
  sourceId: string;
  at: Date;
}

const Fields = z.looseObject({
  status: z.string().nullable().optional(),
  priority: z.string().nullable().optional(),
  urgency: z.string().nullable().optional(),
  severity: z.string().nullable().optional(),
  alertname: z.string().nullable().optional(),
  title: z.string().nullable().optional(),
  summary: z.string().optional(),
  userAgent: z.string().nullable().optional(),
  lastOccurredAt: z.string().optional(),
  userIdentity: z.looseObject({ invokedBy: z.string().optional() }).nullable().optional(),
});
type Fields = z.infer<typeof Fields>;
const fieldsOf = (c: CorrelatedSignal): Fields => {
  const parsed = Fields.safeParse(c.signal.data);
  return parsed.success ? parsed.data : {};
};
const CLOSED = /resolved|closed|finished|completed|inactive/i;
const endOf = (c: CorrelatedSignal, f: Fields) =>
  f.status && CLOSED.test(f.status) ? (f.lastOccurredAt ?? c.signal.occurred_at) : null;

/** PagerDuty priorities (P1…P5) and urgencies, Alertmanager / generic severities, as 1 (worst) … 5. */
function incidentSeverity(f: Fields): IncidentSignal['severity'] {
  const p = /^(?:p|sev)\s*([1-5])/i.exec(f.priority ?? f.severity ?? '');
  if (p) return Number(p[1]) as IncidentSignal['severity'];
  if (/critical|high/i.test(f.urgency ?? f.severity ?? '')) return 2;
  if (/low|info/i.test(f.urgency ?? f.severity ?? '')) return 4;
  return 3;
}

function alertCategory(f: Fields): AlertSignal['category'] {
  const text = `${f.alertname ?? ''} ${f.summary ?? ''}`;
  if (/secur|guardduty|intrusion|unauthori[sz]ed/i.test(text)) return 'security';
  if (/cpu|memory|load|saturat|throttl|capacity/i.test(text)) return 'load';
  if (/latenc|slow/i.test(text)) return 'latency';
  if (/error|5xx|fail/i.test(text)) return 'error';
  if (/down|unavailab|health|unreachable/i.test(text)) return 'availability';
  return 'other';
}

/**
 * The cause model's input from drift.detected and the signals correlated with it. The actor is
 * the principal of the audit event naming the resource closest before the observation.
 */
export function buildCauseInput(
  data: DriftDetectedV1['data'],
  observedAt: Date,
  correlated: readonly CorrelatedSignal[],
): { input: CauseInput; attribution: Attribution | null } {
  const of = (kind: string) => correlated.filter((c) => c.signal.context_type === kind);
  const audit = of('audit_event')
    .filter((c) => c.match === 'resource')
    .sort((a, b) => Math.abs(a.offsetMs) - Math.abs(b.offsetMs))[0];
  let attribution: Attribution | null = null;
  if (audit?.signal.actor) {
    const f = fieldsOf(audit);
    attribution = {
      actor: { principal: audit.signal.actor, userAgent: f.userAgent ?? null, invokedBy: f.userIdentity?.invokedBy ?? null },
      source: audit.signal.external_system,
      sourceId: audit.signal.external_id,
      at: audit.signal.occurred_at,
    };
  }
  const ruleIds = [...new Set(data.changes.flatMap((c) => c.securityRuleIds))];
  const input: CauseInput = {
    driftType: data.driftType,
    detectedAt: observedAt,
    changedAt: attribution?.at ?? null,
    resourceType: data.resource.type,
    changedPaths: data.changes.map((c) => c.path),
    securityRules: { ids: ruleIds, critical: data.isSecurityCritical },
    actor: attribution?.actor ?? null,
    incidents: of('incident').map((c) => {
      const f = fieldsOf(c);
      const text = `${f.title ?? ''} ${f.summary ?? ''}`;
      return {
        startedAt: c.signal.occurred_at,
        endedAt: endOf(c, f),
        severity: incidentSeverity(f),
        security: /secur/i.test(text),
      };
    }),
    alerts: [...of('alert'), ...of('security_event')].map((c) => {
      const f = fieldsOf(c);
      const category = c.signal.context_type === 'security_event' ? 'security' : alertCategory(f);
      return { startedAt: c.signal.occurred_at, endedAt: endOf(c, f), category };
    }),
    deployments: of('deployment').map((c) => {
      const f = fieldsOf(c);
      return { startedAt: c.signal.occurred_at, endedAt: endOf(c, f), succeeded: !/fail|error/i.test(f.status ?? '') };
    }),
    maintenance: of('maintenance').map((c) => ({ startedAt: c.signal.occurred_at, endedAt: endOf(c, fieldsOf(c)) })),
    commits: of('git_commit').map((c) => ({
      committedAt: c.signal.occurred_at,
      touchedDeclaringFile: c.match === 'declaring_file',
    })),
  };
  return { input, attribution };
}
