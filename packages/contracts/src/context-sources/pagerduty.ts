import { z } from 'zod';

const Reference = z.looseObject({ id: z.string().optional(), summary: z.string().optional(), html_url: z.string().optional() });

/** `event.data` of a PagerDuty v3 incident webhook: the incident as it is after the event. */
export const PagerDutyIncident = z.looseObject({
  id: z.string().min(1),
  type: z.string().optional(),
  number: z.number().int().optional(),
  status: z.string().min(1),
  title: z.string(),
  html_url: z.string().optional(),
  urgency: z.string().optional(),
  created_at: z.iso.datetime({ offset: true }).optional(),
  service: Reference,
  priority: Reference.nullish(),
});
export type PagerDutyIncident = z.infer<typeof PagerDutyIncident>;

/** PagerDuty incident event types DriftGuard publishes; other event types are acknowledged and ignored. */
export const PagerDutyIncidentEventType = z.enum([
  'incident.triggered',
  'incident.acknowledged',
  'incident.resolved',
  'incident.priority_updated',
]);

/** A PagerDuty webhook v3 delivery: `{ event: { id, event_type, occurred_at, agent, data } }`. */
export const PagerDutyWebhook = z.looseObject({
  event: z.looseObject({
    id: z.string().min(1),
    event_type: z.string().min(1),
    resource_type: z.string().optional(),
    occurred_at: z.iso.datetime({ offset: true }),
    agent: Reference.nullish(),
    data: z.looseObject({}),
  }),
});
export type PagerDutyWebhook = z.infer<typeof PagerDutyWebhook>;
