import { CauseCategory, DriftType } from '@driftguard/contracts';
import { ACTOR_KINDS, CHANNELS, classifyActor, classifyChannel, type ActorKind, type Channel } from './actor.classify.js';
import type { CauseInput } from './cause-input.js';
import type { CauseFeatures } from './feature-names.js';
import { localTime } from './local-time.js';
import { PROPERTY_KINDS, propertyKind, RESOURCE_KINDS, resourceKind } from './resource-kinds.js';

const WEEK_MINUTES = 7 * 24 * 60;
/** A deployment explains changes made while it runs and during the hour after it. */
const DEPLOY_TAIL_MINUTES = 60;
/** Signals farther than this from the change do not describe it (incident severity, alert category). */
const RELEVANT_MINUTES = 6 * 60;

interface Span {
  start: number;
  end: number | null;
}

const toMs = (t: Date | string): number => (t instanceof Date ? t.getTime() : Date.parse(t));

function span(s: { startedAt: Date | string; endedAt?: Date | string | null }, tailMinutes = 0): Span {
  const end = s.endedAt == null ? null : toMs(s.endedAt) + tailMinutes * 60_000;
  return { start: toMs(s.startedAt), end };
}

/** Minutes between `at` and the span; 0 inside it. */
function minutesTo(at: number, sp: Span): number {
  if (at < sp.start) return (sp.start - at) / 60_000;
  if (sp.end !== null && at > sp.end) return (at - sp.end) / 60_000;
  return 0;
}

/** 0 = during, 1 = a week or more (or nothing), log-scaled between: 5 min and 50 min differ, 5 days and 6 do not. */
export function nearness(minutes: number | null): number {
  if (minutes === null || !Number.isFinite(minutes)) return 1;
  return Math.min(1, Math.log1p(Math.max(0, minutes)) / Math.log1p(WEEK_MINUTES));
}

/** The signal closest to `at` with its distance, or null. */
function nearest<T>(at: number, items: T[], toSpan: (t: T) => Span): { item: T; minutes: number } | null {
  let best: { item: T; minutes: number } | null = null;
  for (const item of items) {
    const minutes = minutesTo(at, toSpan(item));
    if (!best || minutes < best.minutes) best = { item, minutes };
  }
  return best;
}

/** One numeric column per member of `all`, named `<prefix><member>`. */
const columns = <K extends string, P extends string>(prefix: P, all: readonly K[], value: (k: K) => number) =>
  Object.fromEntries(all.map((k) => [`${prefix}${k}`, value(k)])) as Record<`${P}${K}`, number>;
const oneHot = <K extends string, P extends string>(prefix: P, all: readonly K[], on: (k: K) => boolean) =>
  columns(prefix, all, (k) => (on(k) ? 1 : 0));

/** Builds the named features of one drift from its correlated context. Pure and cheap (no I/O). */
export function extractFeatures(input: CauseInput): CauseFeatures {
  const at = toMs(input.changedAt ?? input.detectedAt);
  const incident = nearest(at, input.incidents ?? [], (i) => span(i));
  const alert = nearest(at, input.alerts ?? [], (a) => span(a));
  const deploy = nearest(at, input.deployments ?? [], (d) => span(d, DEPLOY_TAIL_MINUTES));
  const maint = nearest(at, input.maintenance ?? [], (m) => span(m));
  const touching = (input.commits ?? []).filter((c) => c.touchedDeclaringFile);
  const commitMinutes = touching.length ? Math.min(...touching.map((c) => Math.abs(toMs(c.committedAt) - at) / 60_000)) : null;
  const relevant = <T>(n: { item: T; minutes: number } | null) => (n && n.minutes <= RELEVANT_MINUTES ? n.item : null);
  const inc = relevant(incident);
  const alr = relevant(alert);
  const actorKind: ActorKind = classifyActor(input.actor);
  const channel: Channel = classifyChannel(input.actor, actorKind);
  const kinds = new Set(input.changedPaths.map(propertyKind));
  const rKind = resourceKind(input.resourceType);
  const time = localTime(new Date(at), input.timeZone);
  const history = input.history ?? {};
  const historyTotal = CauseCategory.options.reduce((s, c) => s + (history[c] ?? 0), 0);
  return {
    incident_active: incident?.minutes === 0 ? 1 : 0,
    incident_open: (input.incidents ?? []).some((i) => i.endedAt == null) ? 1 : 0,
    incident_near: nearness(incident?.minutes ?? null),
    incident_severity: inc ? (6 - inc.severity) / 5 : 0,
    incident_security: inc?.security ? 1 : 0,
    alert_active: alert?.minutes === 0 ? 1 : 0,
    alert_near: nearness(alert?.minutes ?? null),
    alert_load: alr && (alr.category === 'load' || alr.category === 'latency') ? 1 : 0,
    alert_error: alr && (alr.category === 'error' || alr.category === 'availability') ? 1 : 0,
    alert_security: alr?.category === 'security' ? 1 : 0,
    deploy_active: deploy?.minutes === 0 ? 1 : 0,
    deploy_near: nearness(deploy?.minutes ?? null),
    deploy_failed: deploy && deploy.minutes <= RELEVANT_MINUTES && deploy.item.succeeded === false ? 1 : 0,
    maint_active: maint?.minutes === 0 ? 1 : 0,
    maint_near: nearness(maint?.minutes ?? null),
    hour: time.hour,
    off_hours: time.hour < 8 || time.hour >= 19 ? 1 : 0,
    weekend: time.weekday === 0 || time.weekday === 6 ? 1 : 0,
    holiday: time.holiday ? 1 : 0,
    ...oneHot('actor_', ACTOR_KINDS, (k) => k === actorKind),
    ...oneHot('channel_', CHANNELS, (c) => c === channel),
    ...oneHot('resource_', RESOURCE_KINDS, (k) => k === rKind),
    ...oneHot('prop_', PROPERTY_KINDS, (k) => kinds.has(k)),
    changed_count: Math.log1p(input.changedPaths.length),
    security_rules: input.securityRules?.ids.length ?? 0,
    security_critical: input.securityRules?.critical ? 1 : 0,
    commit_touched_file: commitMinutes !== null && commitMinutes <= RELEVANT_MINUTES ? 1 : 0,
    commit_near: nearness(commitMinutes),
    reverted: input.revertedToEarlierValue ? 1 : 0,
    ...oneHot('drift_', DriftType.options, (t) => t === input.driftType),
    history_total: Math.log1p(historyTotal),
    ...columns('history_', CauseCategory.options, (c) => (historyTotal ? (history[c] ?? 0) / historyTotal : 0)),
  };
}

/**
 * The evidence present in `f`, in words an engineer reads: which signals correlate with the
 * change. Empty means nothing but the change itself is known, and the answer must be `unknown`.
 */
export function evidenceOf(f: CauseFeatures): string[] {
  const e: string[] = [];
  if (f.incident_active || f.incident_near < nearness(120)) e.push(f.incident_active ? 'during an incident' : 'near an incident');
  if (f.alert_active || f.alert_near < nearness(60)) e.push(f.alert_active ? 'while an alert fired' : 'near an alert');
  if (f.deploy_active || f.deploy_near < nearness(120)) e.push('near a deployment');
  if (f.maint_active) e.push('inside a maintenance window');
  if (!f.actor_unknown) e.push('actor known from the audit trail');
  if (f.commit_touched_file) e.push('a commit touched the declaring file');
  if (f.security_rules > 0) e.push('security rules hit');
  if (f.reverted) e.push('value reverted to an earlier one');
  return e;
}

/**
 * Features of a drift with nothing correlated: no signals, no audit event, no history, an
 * unclassified resource and property. Contributions are measured against it.
 */
export function baselineFeatures(): CauseFeatures {
  return extractFeatures({ driftType: 'modified', detectedAt: '2026-01-07T12:00:00Z', resourceType: '', changedPaths: [] });
}
