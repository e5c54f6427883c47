import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, nullableDefault, type TableOf } from './columns.js';

/**
 * `notifications`: A message sent (or to send) to a channel. Owned by notifier. Since 0013 one row
 * per (group flush, channel), claimed under a lease before the provider is called; `sent_at` is
 * when it was handed to the provider, `delivered_at` when the provider accepted it (2xx),
 * `read_at` when its console link was first opened.
 */
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
  // migration 0013: delivery state (the notifier's pipeline)
  organization_id: nullable('int4'),
  group_id: nullable('int4'),
  alert_key: nullable('varchar(255)'),
  action: nullable('varchar(20)', ['trigger', 'update', 'resolve', 'reminder', 'test']),
  dedupe_key: nullable('varchar(300)'),
  idempotency_key: notNullDefault('uuid'),
  status: notNullDefault('varchar(20)', ['pending', 'claimed', 'sent', 'delivered', 'failed', 'suppressed', 'dead']),
  covered_drift_ids: notNullDefault('jsonb'),
  suppressed_by_silence_id: nullable('int4'),
  suppressed_by_window_id: nullable('int4'),
  attempts: notNullDefault('int4'),
  /** attempts made before the last redelivery: the retry schedule starts over from here */
  retries_from: notNullDefault('int4'),
  next_attempt_at: nullable('timestamptz'),
  claimed_by: nullable('varchar(255)'),
  claimed_until: nullable('timestamptz'),
  provider_ref: nullable('jsonb'),
  last_error: nullable('text'),
  created_at: notNullDefault('timestamptz'),
} as const;

export type NotificationsTable = TableOf<typeof notificationsColumns>;
export type Notification = Selectable<NotificationsTable>;
export type NewNotification = Insertable<NotificationsTable>;
export type NotificationUpdate = Updateable<NotificationsTable>;
