import { AlertmanagerWebhook } from '@driftguard/contracts';
import { checkPayload } from '../context-payload.js';
import { boundedId, firstLine, publishable, type SourceParser } from '../context-signal.js';

/** Labels that name what an alert is about, in the order they are listed as resource refs. */
const RESOURCE_LABELS = ['instance', 'pod', 'deployment', 'service', 'node', 'resource', 'resource_id', 'arn', 'instance_id'];
const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * Alertmanager webhooks (version 4) → one `alert` signal per alert. The source id is
 * fingerprint + startsAt + status: a firing alert and its resolution are two signals, a repeat
 * notification of the same state (Alertmanager resends every repeat_interval) is a duplicate.
 */
export const parseAlertmanager: SourceParser = (body, _headers, source) => {
  const hook = checkPayload(source, AlertmanagerWebhook, body);
  return {
    signals: hook.alerts.map((a) => {
      const endsAt = a.endsAt !== undefined && !a.endsAt.startsWith('0001-') ? a.endsAt : undefined;
      const refs = RESOURCE_LABELS.map((l) => a.labels[l]).filter((v): v is string => v !== undefined && v !== '');
      const summary = a.annotations['summary'] ?? a.labels['alertname'];
      return {
        kind: 'alert' as const,
        sourceId: `${a.fingerprint}:${a.startsAt}:${a.status}`,
        data: {
          kind: 'alert' as const,
          externalSystem: 'alertmanager',
          externalId: boundedId(a.fingerprint),
          occurredAt: a.status === 'resolved' && endsAt !== undefined ? endsAt : a.startsAt,
          resourceRefs: refs,
          ...(summary !== undefined ? { summary: firstLine(summary, 500) } : {}),
          data: {
            status: a.status,
            alertname: a.labels['alertname'] ?? null,
            severity: a.labels['severity'] ?? null,
            labels: publishable(a.labels),
            annotations: publishable(a.annotations),
            startsAt: a.startsAt,
            endsAt: endsAt ?? (a.endsAt === ZERO_TIME ? null : (a.endsAt ?? null)),
            generatorURL: a.generatorURL ?? null,
            fingerprint: a.fingerprint,
            receiver: hook.receiver ?? null,
            groupKey: hook.groupKey ?? null,
          },
        },
      };
    }),
  };
};
