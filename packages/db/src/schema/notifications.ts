import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, nullableDefault, type TableOf } from './columns.js';

/** `notifications`: A message sent (or to send) to a channel. Owned by notifier. */
export const notificationsColumns = {
  id: notNullDefault('int4'),
  drift_event_id: nullable('int4'),
  channel_id: nullable('int4'),
  notification_type: notNull('varchar(30)'),
  subject: nullable('varchar(500)'),
  message: nullable('text'),
  priority: nullable('varchar(10)', ['low', 'medium', 'high', 'critical']),
  sent_at: nullable('timestamptz'),
  delivered_at: nullable('timestamptz'),
  read_at: nullable('timestamptz'),
  metadata: nullableDefault('jsonb'),
} as const;

export type NotificationsTable = TableOf<typeof notificationsColumns>;
export type Notification = Selectable<NotificationsTable>;
export type NewNotification = Insertable<NotificationsTable>;
export type NotificationUpdate = Updateable<NotificationsTable>;
