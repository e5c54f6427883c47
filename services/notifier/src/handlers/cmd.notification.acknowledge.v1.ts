import type { EventHandler } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import { acknowledgeItem } from '../grouping/notification-groups.queries.js';

/** `dg.cmd.notification.acknowledge.v1.<org>.<env>`: someone has the drift in hand; its group stops reminding once all are acknowledged. */
export function cmdNotificationAcknowledgeV1(): EventHandler<'cmd.notification.acknowledge.v1', Database> {
  return async (event, { tx, log }) => {
    const { driftEventId, actor, via } = event.data;
    const changed = await acknowledgeItem(tx, event.orgId, driftEventId, actor, new Date(event.occurredAt));
    log.info({ driftEventId, via, changed }, 'notification acknowledged');
  };
}
