import type { EventHandler } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import { requeueNotification } from '../delivery/notifications.queries.js';

/**
 * `dg.cmd.notification.redeliver.v1.<org>.<env>` (what `dg dlq replay` sends for a dead-lettered
 * notification): a failed or dead notification is delivered again with its idempotency key.
 */
export function cmdNotificationRedeliverV1(): EventHandler<'cmd.notification.redeliver.v1', Database> {
  return async (event, { tx, log }) => {
    const requeued = await requeueNotification(tx, event.data.notificationId);
    log.info({ notificationId: event.data.notificationId, requeued }, 'notification redelivery requested');
  };
}
