import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import type { Alert, ChannelAdapter } from './channel.js';
import { evidenceLines, recommendationLines, resourceLabel, TEST_MESSAGE, topChanges } from './alert-text.js';
import { bodyExcerpt, httpFailure, networkFailure } from './send-result.js';

/** `whsec_` + base64 of 24–64 random bytes (Standard Webhooks, "Signature scheme"). */
const WebhookSecret = z.string().refine(
  (s) => {
    const m = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(s);
    if (!m?.[1]) return false;
    const bytes = Buffer.from(m[1], 'base64').length;
    return bytes >= 24 && bytes <= 64;
  },
  { error: 'must be whsec_ followed by the base64 of 24 to 64 random bytes' },
);

/** Headers DriftGuard sets itself; a custom header may not replace them. */
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'host',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'user-agent',
]);

export const WebhookConfig = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  /** the signing secrets: one, or during a rotation the new and the old (each signs; receivers accept either) */
  secrets: z.array(WebhookSecret).min(1).max(5),
  /** extra request headers (an Authorization the receiver wants, a tenant id) */
  headers: z
    .record(
      z
        .string()
        .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { error: 'not a header name' })
        .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), { error: 'set by DriftGuard itself' }),
      z
        .string()
        .max(4096)
        .regex(/^[^\r\n]*$/, { error: 'no line breaks in header values' }),
    )
    .default({}),
});
export type WebhookConfig = z.infer<typeof WebhookConfig>;

/** Items listed in one delivery; Standard Webhooks recommends bodies under 20 KB and `total` says how many there are. */
const MAX_ITEMS = 20;

/** The JSON body: `{type, timestamp, data}` as Standard Webhooks shapes it. */
export function webhookBody(alert: Alert, now: Date): { type: string; timestamp: string; data: Record<string, unknown> } {
  if (alert.action === 'test')
    return {
      type: 'driftguard.test',
      timestamp: now.toISOString(),
      data: { message: TEST_MESSAGE, environment: alert.environment.name },
    };
  const items = alert.items.slice(0, MAX_ITEMS).map((item) => ({
    driftEventId: item.driftEventId,
    priority: item.priority,
    severityScore: item.severityScore,
    securityCritical: item.isSecurityCritical,
    analysisPending: item.analysisPending,
    resource: { label: resourceLabel(item), ...item.drift.resource },
    driftType: item.drift.driftType,
    changes: topChanges(item, 20).lines,
    ...(item.cause ? { cause: item.cause } : {}),
    evidence: evidenceLines(item, 10),
    ...(item.recommendation
      ? { recommendation: { id: item.recommendation.id, type: item.recommendation.type, ...recommendationLines(item, 5) } }
      : {}),
    consoleUrl: item.consoleUrl,
    ...(item.resolvedAt ? { resolvedAt: item.resolvedAt.toISOString() } : {}),
  }));
  return {
    type: `driftguard.alert.${alert.action}`,
    timestamp: now.toISOString(),
    data: {
      key: alert.key,
      action: alert.action,
      notificationId: alert.notificationId,
      organizationId: alert.organizationId,
      environment: alert.environment,
      priority: alert.priority,
      title: alert.title,
      total: alert.total,
      itemsNotListed: alert.total - items.length,
      items,
      consoleUrl: alert.consoleUrl,
      occurredAt: alert.occurredAt.toISOString(),
    },
  };
}

/** `v1,<base64>` per secret, space-separated (Standard Webhooks: several signatures during a rotation). */
export function signatureHeader(secrets: readonly string[], id: string, at: Date, body: string): string {
  return secrets.map((s) => new Webhook(s).sign(id, at, body)).join(' ');
}

/**
 * A signed JSON POST per Standard Webhooks: `webhook-id` is the delivery's idempotency key (the
 * same on every retry, so receivers drop repeats), `webhook-timestamp` the send time,
 * `webhook-signature` the HMAC-SHA256 of `id.timestamp.body` with each secret. 2xx is success;
 * a redirect is not followed; 429 and 5xx are retried, other 4xx (410: the endpoint is gone) not.
 */
export const webhookChannel: ChannelAdapter<WebhookConfig> = {
  type: 'webhook',
  config: WebhookConfig,
  // URLs of many receivers carry a token in their path or query, so the URL is kept secret too.
  secretFields: ['url', 'secrets', 'headers'],
  async send(config, alert, ctx) {
    const now = new Date();
    const body = JSON.stringify(webhookBody(alert, now));
    let res: Response;
    try {
      res = await ctx.fetch(config.url, {
        method: 'POST',
        headers: {
          ...config.headers,
          'content-type': 'application/json',
          'user-agent': 'DriftGuard-Webhooks/1',
          'webhook-id': alert.idempotencyKey,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signatureHeader(config.secrets, alert.idempotencyKey, now, body),
        },
        body,
        signal: ctx.signal,
      });
    } catch (err) {
      return networkFailure(err);
    }
    const text = await res.text();
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return httpFailure(res, bodyExcerpt(text) || `HTTP ${res.status}`);
  },
};
