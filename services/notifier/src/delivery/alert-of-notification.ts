import type { Notification } from '@driftguard/db';
import { z } from 'zod';
import { AlertPayload } from '../alert/alert-payload.js';
import type { Alert, AlertItem } from '../channels/channel.js';
import type { LinkSigner } from '../http/tracked-link.js';

const Metadata = z.object({ alert: AlertPayload });
const Action = z.enum(['trigger', 'update', 'resolve', 'reminder', 'test']);

/** The Alert an adapter renders, rebuilt from the notification row alone; links are tracked redirects. */
export function alertOfNotification(row: Notification, links: { signer: LinkSigner; publicUrl: string }): Alert {
  const payload = Metadata.parse(row.metadata).alert;
  const orgId = row.organization_id ?? 0;
  const link = (d?: number) =>
    `${links.publicUrl.replace(/\/$/, '')}/r/${links.signer.sign({ n: row.id, o: orgId, ...(d ? { d } : {}) })}`;
  const items: AlertItem[] = payload.items.map((i) => ({
    driftEventId: i.driftEventId,
    priority: i.priority,
    severityScore: i.severityScore,
    isSecurityCritical: i.isSecurityCritical,
    drift: i.drift,
    analysisPending: i.analysisPending,
    ...(i.cause ? { cause: i.cause } : {}),
    ...(i.attribution !== undefined ? { attribution: i.attribution } : {}),
    ...(i.correlated ? { correlated: i.correlated } : {}),
    ...(i.recommendation ? { recommendation: i.recommendation } : {}),
    consoleUrl: link(i.driftEventId),
    ...(i.resolvedAt ? { resolvedAt: new Date(i.resolvedAt) } : {}),
  }));
  return {
    key: row.alert_key ?? `notification:${row.id}`,
    action: Action.parse(row.action ?? 'trigger'),
    notificationId: row.id,
    idempotencyKey: row.idempotency_key,
    organizationId: orgId,
    environment: payload.environment,
    priority: payload.priority,
    title: payload.title,
    items,
    total: payload.total,
    consoleUrl: link(payload.total === 1 ? payload.items[0]?.driftEventId : undefined),
    occurredAt: row.created_at,
  };
}
