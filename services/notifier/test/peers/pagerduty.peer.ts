import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { jsonOf, startHttpPeer, type HttpPeer, type PeerAnswer, type PeerVerdict } from './http-peer.js';

/**
 * PagerDuty's Events API v2 (`POST /v2/enqueue`) as documented (developer-docs events-API-v2):
 * the event is checked field by field and refused with PagerDuty's 400 body
 * `{status: "invalid event", message: "Event object is invalid", errors: [...]}`; accepted
 * events answer 202 `{status: "success", message: "Event processed", dedup_key}`. Alerts are
 * kept per (routing_key, dedup_key): a trigger opens or amends one, a resolve closes it, and a
 * follow-up for no open alert is dropped, as PagerDuty does.
 */

const Link = z.strictObject({ href: z.string().min(1), text: z.string().optional() });
const Image = z.strictObject({ src: z.string().startsWith('https://'), href: z.string().optional(), alt: z.string().optional() });
const Payload = z.strictObject({
  summary: z.string().min(1).max(1024),
  source: z.string().min(1),
  severity: z.enum(['critical', 'error', 'warning', 'info']),
  timestamp: z.iso.datetime({ offset: true }).optional(),
  component: z.string().optional(),
  group: z.string().optional(),
  class: z.string().optional(),
  custom_details: z.record(z.string(), z.unknown()).optional(),
});
const Event = z.strictObject({
  routing_key: z.string().length(32),
  event_action: z.enum(['trigger', 'acknowledge', 'resolve']),
  dedup_key: z.string().min(1).max(255).optional(),
  payload: Payload.optional(),
  client: z.string().optional(),
  client_url: z.string().optional(),
  links: z.array(Link).optional(),
  images: z.array(Image).optional(),
});
export type PagerDutyEvent = z.infer<typeof Event>;

export interface PagerDutyAlert {
  routingKey: string;
  dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  events: PagerDutyEvent[];
}

export interface PagerDutyPeer extends HttpPeer {
  /** the Events API base to configure (`baseUrl`) */
  baseUrl: string;
  /** a valid 32-character integration key */
  routingKey: string;
  /** alerts by `${routing_key}/${dedup_key}` */
  alerts: Map<string, PagerDutyAlert>;
  answers: typeof PAGERDUTY_ANSWERS;
}

export const PAGERDUTY_ANSWERS = {
  throttled: (): PeerAnswer => ({
    status: 429,
    body: { status: 'throttle event', message: 'Requests for this service are arriving too quickly.  Please retry later.' },
  }),
  serverError: (): PeerAnswer => ({ status: 500, body: 'Internal Server Error' }),
  invalid: (error: string): PeerAnswer => ({
    status: 400,
    body: { status: 'invalid event', message: 'Event object is invalid', errors: [error] },
  }),
};

const MAX_EVENT_BYTES = 512 * 1024;

export async function startPagerDutyPeer(options: { port?: number; routingKey?: string } = {}): Promise<PagerDutyPeer> {
  const routingKey = options.routingKey ?? randomBytes(16).toString('hex');
  const alerts = new Map<string, PagerDutyAlert>();
  const invalid = (...errors: string[]): PeerVerdict => ({
    accepted: false,
    answer: { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } },
  });

  const peer = await startHttpPeer(options.port ?? 0, (req): PeerVerdict => {
    if (req.method !== 'POST' || req.path !== '/v2/enqueue')
      return { accepted: false, answer: { status: 404, body: 'Not Found' } };
    if (Buffer.byteLength(req.body) > MAX_EVENT_BYTES) return invalid('Event object is too large (over 512 KB)');
    const json = jsonOf(req.body);
    if (json === undefined)
      return {
        accepted: false,
        answer: { status: 400, body: { status: 'invalid request', message: 'Invalid JSON', errors: ['Could not parse JSON'] } },
      };
    const parsed = Event.safeParse(json);
    if (!parsed.success) return invalid(...parsed.error.issues.map((i) => `'${i.path.join('.')}' ${i.message}`));
    const event = parsed.data;
    if (event.event_action === 'trigger' && event.payload === undefined) return invalid("'payload' is missing or blank");
    if (event.event_action !== 'trigger' && event.dedup_key === undefined)
      return invalid("'dedup_key' is required for acknowledge and resolve");
    const dedupKey = event.dedup_key ?? randomBytes(16).toString('hex');
    const id = `${event.routing_key}/${dedupKey}`;
    return {
      accepted: true,
      answer: { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } },
      commit: () => {
        const open = alerts.get(id);
        if (event.event_action === 'trigger') {
          if (open && open.status !== 'resolved') open.events.push(event);
          else alerts.set(id, { routingKey: event.routing_key, dedupKey, status: 'triggered', events: [event] });
        } else if (open && open.status !== 'resolved') {
          open.status = event.event_action === 'resolve' ? 'resolved' : 'acknowledged';
          open.events.push(event);
        }
      },
    };
  });
  return { ...peer, baseUrl: peer.url, routingKey, alerts, answers: PAGERDUTY_ANSWERS };
}
