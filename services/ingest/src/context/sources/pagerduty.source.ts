import { PagerDutyIncident, PagerDutyIncidentEventType, PagerDutyWebhook } from '@driftguard/contracts';
import { checkPayload } from '../context-payload.js';
import { boundedId, type SourceParser } from '../context-signal.js';

/**
 * PagerDuty webhook v3 incident events → one `incident` signal. The source id is the webhook
 * event's id (`event.id`), which PagerDuty keeps across redeliveries; `externalId` is the
 * incident's, so every event of one incident names the same incident.
 */
export const parsePagerDuty: SourceParser = (body, _headers, source) => {
  const { event } = checkPayload(source, PagerDutyWebhook, body);
  const type = PagerDutyIncidentEventType.safeParse(event.event_type);
  if (!type.success)
    return { signals: [], ignored: `PagerDuty event type "${event.event_type}" is not an incident change DriftGuard uses` };
  const incident = checkPayload(source, PagerDutyIncident, event.data, '/event/data');
  const service = incident.service.summary ?? incident.service.id;
  const actor = event.agent?.summary;
  return {
    signals: [
      {
        kind: 'incident',
        sourceId: event.id,
        data: {
          kind: 'incident',
          externalSystem: 'pagerduty',
          externalId: boundedId(incident.id),
          occurredAt: event.occurred_at,
          ...(actor !== undefined ? { actor: actor.slice(0, 255) } : {}),
          resourceRefs: service !== undefined ? [service] : [],
          summary: incident.title,
          data: {
            eventId: event.id,
            eventType: type.data,
            incidentId: incident.id,
            number: incident.number ?? null,
            status: incident.status,
            priority: incident.priority?.summary ?? null,
            urgency: incident.urgency ?? null,
            service: { id: incident.service.id ?? null, name: incident.service.summary ?? null },
            title: incident.title,
            url: incident.html_url ?? null,
          },
        },
      },
    ],
  };
};
