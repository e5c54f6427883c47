import { createHash } from 'node:crypto';
import type { Priority } from '@driftguard/contracts';
import { z } from 'zod';
import type { Alert, ChannelAdapter, SendContext, SendResult } from './channel.js';
import {
  causeLine,
  evidenceLines,
  plainText,
  recommendationLines,
  resourceLabel,
  TEST_MESSAGE,
  topChanges,
} from './alert-text.js';
import { bodyExcerpt, httpFailure, networkFailure } from './send-result.js';

export const PagerDutyConfig = z.strictObject({
  /** the Events API v2 integration key of the service: 32 characters */
  routingKey: z.string().regex(/^[A-Za-z0-9]{32}$/, { error: 'must be the 32-character Events API v2 integration key' }),
  /** PagerDuty's events endpoint; another base only for a test peer (or an EU account: https://events.eu.pagerduty.com) */
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://events.pagerduty.com'),
  /** `payload.source`; the environment's name when not set */
  source: z.string().min(1).max(255).optional(),
});
export type PagerDutyConfig = z.infer<typeof PagerDutyConfig>;

/** Events API v2 limits (developer-docs, 02-Trigger-Events): summary 1,024 characters, dedup_key 255. */
export const PAGERDUTY_LIMITS = { summary: 1024, dedupKey: 255, customDetailItems: 20 } as const;

const SEVERITY: Record<Priority, 'critical' | 'error' | 'warning' | 'info'> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
};

/** Stable per alert key, so a resolution and a re-trigger reach the same PagerDuty alert. */
export function dedupKeyOf(key: string): string {
  const plain = `driftguard:${key}`;
  return plain.length <= PAGERDUTY_LIMITS.dedupKey
    ? plain
    : `driftguard:sha256:${createHash('sha256').update(key).digest('hex')}`;
}

const Answer = z.looseObject({
  status: z.string().optional(),
  message: z.string().optional(),
  dedup_key: z.string().optional(),
  errors: z.array(z.string()).optional(),
});

function clipSummary(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= PAGERDUTY_LIMITS.summary ? flat : `${flat.slice(0, PAGERDUTY_LIMITS.summary - 1)}…`;
}

function customDetails(alert: Alert): Record<string, unknown> {
  const shown = alert.items.slice(0, PAGERDUTY_LIMITS.customDetailItems);
  return {
    environment: alert.environment.name,
    production: alert.environment.production,
    priority: alert.priority,
    drifts: alert.total,
    ...(alert.total > shown.length ? { drifts_not_listed: alert.total - shown.length } : {}),
    items: shown.map((item) => ({
      drift_event_id: item.driftEventId,
      resource: resourceLabel(item),
      drift_type: item.drift.driftType,
      priority: item.priority,
      security_critical: item.isSecurityCritical,
      changes: topChanges(item, 10).lines.map(
        (c) => `${c.securityCritical ? '[security] ' : ''}${c.path}: ${c.declared} -> ${c.actual}`,
      ),
      ...(causeLine(item) ? { cause: causeLine(item) } : {}),
      evidence: evidenceLines(item, 5).map((e) => (e.link ? `${e.text} (${e.link})` : e.text)),
      ...(item.recommendation ? { recommendation: recommendationLines(item, 3) } : {}),
      console: item.consoleUrl,
    })),
    text: plainText(alert, 5),
  };
}

/** The Events API v2 event of an alert: trigger (also for updates and reminders: PagerDuty amends the open alert with the same dedup_key) or resolve. */
export function pagerDutyEvent(config: PagerDutyConfig, alert: Alert): Record<string, unknown> {
  const dedupKey = alert.action === 'test' ? dedupKeyOf(`test:${alert.idempotencyKey}`) : dedupKeyOf(alert.key);
  if (alert.action === 'resolve') return { routing_key: config.routingKey, event_action: 'resolve', dedup_key: dedupKey };
  const top = alert.items[0];
  const links = [{ href: alert.consoleUrl, text: 'Open in DriftGuard' }];
  for (const e of top ? evidenceLines(top, 5) : [])
    if (e.link && /^https?:\/\//.test(e.link)) links.push({ href: e.link, text: e.text.slice(0, 200) });
  const summary =
    alert.action === 'test'
      ? `${TEST_MESSAGE} (${alert.environment.name})`
      : `${alert.action === 'reminder' ? 'Reminder: ' : ''}${alert.title}`;
  return {
    routing_key: config.routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: clipSummary(summary),
      source: config.source ?? `driftguard/${alert.environment.name}`,
      severity: alert.action === 'test' ? 'info' : SEVERITY[alert.priority],
      timestamp: alert.occurredAt.toISOString(),
      ...(top ? { component: resourceLabel(top).slice(0, 255) } : {}),
      group: alert.environment.name,
      class: top ? `${top.drift.driftType} drift` : 'drift',
      custom_details: alert.action === 'test' ? { message: TEST_MESSAGE } : customDetails(alert),
    },
    client: 'DriftGuard',
    client_url: alert.consoleUrl,
    links,
  };
}

async function enqueue(config: PagerDutyConfig, event: Record<string, unknown>, ctx: SendContext): Promise<SendResult> {
  let res: Response;
  try {
    res = await ctx.fetch(`${config.baseUrl.replace(/\/$/, '')}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
      signal: ctx.signal,
    });
  } catch (err) {
    return networkFailure(err);
  }
  const text = await res.text();
  const parsed = Answer.safeParse(safeJson(text));
  const answer = parsed.success ? parsed.data : {};
  if (res.status === 202 || (res.status >= 200 && res.status < 300)) {
    const dedup = answer.dedup_key ?? (typeof event['dedup_key'] === 'string' ? event['dedup_key'] : undefined);
    return { ok: true, status: res.status, ...(dedup ? { providerRef: { dedup_key: dedup } } : {}) };
  }
  const error = [answer.message, ...(answer.errors ?? [])].filter((s) => s !== undefined && s !== '').join('; ');
  return httpFailure(res, error || bodyExcerpt(text) || `HTTP ${res.status}`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * PagerDuty Events API v2 (POST /v2/enqueue). The dedup_key derives from the alert key, so a
 * resolution closes what the trigger opened (same dedup_key and routing_key). 202 is accepted;
 * 400 is a malformed event (not retried, PagerDuty's `errors` kept); 429 and 5xx are retried.
 * A channel test triggers an `info` event and resolves it at once.
 */
export const pagerDutyChannel: ChannelAdapter<PagerDutyConfig> = {
  type: 'pagerduty',
  config: PagerDutyConfig,
  secretFields: ['routingKey'],
  async send(config, alert, ctx) {
    const result = await enqueue(config, pagerDutyEvent(config, alert), ctx);
    if (alert.action !== 'test' || !result.ok) return result;
    await enqueue(config, pagerDutyEvent(config, { ...alert, action: 'resolve', key: `test:${alert.idempotencyKey}` }), ctx);
    return result;
  },
};
