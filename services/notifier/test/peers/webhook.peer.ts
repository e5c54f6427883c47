import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import { startHttpPeer, type HttpPeer, type PeerAnswer, type PeerVerdict } from './http-peer.js';

/**
 * A Standard Webhooks receiver: every delivery is verified with the `standardwebhooks` package
 * (signature over `id.timestamp.body`, 5-minute timestamp tolerance) against the receiver's
 * secrets; a delivery none verifies is answered 401. Verified deliveries are kept with their
 * parsed body and `webhook-id`, so repeats can be told apart.
 */
/** The payload shape Standard Webhooks recommends: `{type, timestamp, data}`. */
const Payload = z.strictObject({
  type: z.string().regex(/^[a-z0-9_.-]+$/i),
  timestamp: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
});

export interface WebhookDelivery {
  id: string;
  timestamp: number;
  signatures: string[];
  body: z.infer<typeof Payload>;
  headers: Record<string, string | string[] | undefined>;
}

export interface WebhookPeer extends HttpPeer {
  /** the URL to deliver to */
  endpoint: string;
  /** secrets the receiver verifies with */
  secrets: string[];
  deliveries: WebhookDelivery[];
  answers: typeof WEBHOOK_ANSWERS;
}

export const WEBHOOK_ANSWERS = {
  gone: (): PeerAnswer => ({ status: 410, body: 'endpoint disabled' }),
  throttled: (retryAfterSeconds: number): PeerAnswer => ({
    status: 429,
    body: 'slow down',
    headers: { 'retry-after': String(retryAfterSeconds) },
  }),
  serverError: (): PeerAnswer => ({ status: 503, body: 'unavailable' }),
  redirect: (location: string): PeerAnswer => ({ status: 302, body: '', headers: { location } }),
};

/** A fresh `whsec_` secret: base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export async function startWebhookPeer(options: { port?: number; secrets?: string[] } = {}): Promise<WebhookPeer> {
  const secrets = options.secrets ?? [newWebhookSecret()];
  const deliveries: WebhookDelivery[] = [];
  const path = '/hooks/driftguard';
  const peer = await startHttpPeer(options.port ?? 0, (req): PeerVerdict => {
    if (req.method !== 'POST' || req.path !== path) return { accepted: false, answer: { status: 404, body: 'not found' } };
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    let verified: unknown;
    const errors: string[] = [];
    for (const secret of secrets) {
      try {
        verified = new Webhook(secret).verify(req.body, headers);
        break;
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    if (verified === undefined) return { accepted: false, answer: { status: 401, body: { error: errors.join('; ') } } };
    if (req.headers['content-type'] !== 'application/json')
      return { accepted: false, answer: { status: 415, body: 'expected application/json' } };
    const body = Payload.safeParse(verified);
    if (!body.success) return { accepted: false, answer: { status: 422, body: { error: body.error.message } } };
    return {
      accepted: true,
      answer: { status: 204 },
      commit: () =>
        deliveries.push({
          id: headers['webhook-id'] ?? '',
          timestamp: Number(headers['webhook-timestamp']),
          signatures: (headers['webhook-signature'] ?? '').split(' '),
          body: body.data,
          headers: req.headers,
        }),
    };
  });
  return { ...peer, endpoint: `${peer.url}${path}`, secrets, deliveries, answers: WEBHOOK_ANSWERS };
}
