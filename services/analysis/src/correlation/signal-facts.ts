import { z } from 'zod';
import type { CorrelatedSignal } from './correlate.js';

/**
 * The fields of stored signal bodies that correlation reads, as the ingest sources write them:
 * PagerDuty (`status`, `priority`, `urgency`, `title`), Alertmanager (`status`, `severity`,
 * `alertname`, `startsAt`, `endsAt`), the generic deployment / maintenance / incident shape
 * (`start`, `end`, `status`, `severity`), CloudTrail and Kubernetes audit (`userAgent`,
 * `userIdentity`). `lastOccurredAt` is the time of the latest update stored.
 */
const Body = z.looseObject({
  status: z.string().nullable().optional(),
  priority: z.string().nullable().optional(),
  urgency: z.string().nullable().optional(),
  severity: z.string().nullable().optional(),
  alertname: z.string().nullable().optional(),
  title: z.string().nullable().optional(),
  summary: z.string().optional(),
  end: z.string().nullable().optional(),
  endsAt: z.string().nullable().optional(),
  userAgent: z.string().nullable().optional(),
  lastOccurredAt: z.string().optional(),
  userIdentity: z.looseObject({ type: z.string().optional(), invokedBy: z.string().optional() }).nullable().optional(),
});
export type SignalBody = z.infer<typeof Body>;

const bodies = new WeakMap<object, SignalBody>();

/** The fields of a signal's body correlation reads, parsed once per stored signal (a batch of drifts shares its signals). */
export const bodyOf = (c: Pick<CorrelatedSignal, 'signal'>): SignalBody => {
  const key = c.signal;
  let body = bodies.get(key);
  if (!body) {
    const parsed = Body.safeParse(c.signal.data);
    body = parsed.success ? parsed.data : {};
    bodies.set(key, body);
  }
  return body;
};

/** Signals that last (open until resolved or ended), as opposed to points in time (an API call, a commit). */
export const LASTING_KINDS: ReadonlySet<string> = new Set(['incident', 'alert', 'maintenance', 'deployment', 'security_event']);

const CLOSED = /^(resolved|closed|finished|completed|complete|done|succeeded|success|failed|failure|cancell?ed|inactive|ended)$/i;

const dateOf = (s: string | null | undefined): Date | null => {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t);
};

/** What a correlated signal says beyond its match: its end, whether still open, its severity and actor. */
export interface SignalFacts {
  /** When it ended (resolved, window closed), or will end (a scheduled end); null while open-ended. */
  endedAt: Date | null;
  /** Lasting kinds only: open or resolved at `at`. */
  status?: 'open' | 'resolved';
  severity?: string;
  actor?: string;
}

/**
 * The facts of one correlated signal at time `at` (the analysis): an explicit end (a window's
 * `end`, an alert's `endsAt`) counts from then; a closing status (PagerDuty `resolved`,
 * Alertmanager `resolved`, a finished deployment) without one ends at the update that said so.
 */
export function signalFacts(c: Pick<CorrelatedSignal, 'signal'>, at: Date): SignalFacts {
  const b = bodyOf(c);
  const explicitEnd = dateOf(b.end) ?? dateOf(b.endsAt);
  const closed = b.status != null && CLOSED.test(b.status);
  const endedAt = explicitEnd ?? (closed ? (dateOf(b.lastOccurredAt) ?? c.signal.occurred_at) : null);
  const severity = b.priority ?? b.severity ?? (c.signal.context_type === 'incident' ? b.urgency : null) ?? undefined;
  const lasting = LASTING_KINDS.has(c.signal.context_type);
  return {
    endedAt,
    ...(lasting ? { status: closed || (endedAt !== null && endedAt <= at) ? ('resolved' as const) : ('open' as const) } : {}),
    ...(severity ? { severity } : {}),
    ...(c.signal.actor ? { actor: c.signal.actor } : {}),
  };
}
