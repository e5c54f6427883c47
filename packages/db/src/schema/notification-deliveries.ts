import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, type TableOf } from './columns.js';

/**
 * `notification_deliveries`: One delivery attempt of a notification. Owned by notifier. `id` is
 * bigserial, hence a string.
 */
export const notificationDeliveriesColumns = {
  id: notNullDefault('int8'),
  notification_id: notNull('int4'),
  attempt: notNull('int4'),
  status: notNullDefault('varchar(20)', ['pending', 'sent', 'failed', 'retrying']),
  response_code: nullable('int4'),
  error: nullable('text'),
  attempted_at: notNullDefault('timestamptz'),
  next_attempt_at: nullable('timestamptz'),
  // migration 0013
  latency_ms: nullable('int4'),
  claimed_by: nullable('varchar(255)'),
} as const;

export type NotificationDeliveriesTable = TableOf<typeof notificationDeliveriesColumns>;
export type NotificationDelivery = Selectable<NotificationDeliveriesTable>;
export type NewNotificationDelivery = Insertable<NotificationDeliveriesTable>;
export type NotificationDeliveryUpdate = Updateable<NotificationDeliveriesTable>;
