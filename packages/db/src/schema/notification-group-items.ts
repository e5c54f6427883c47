import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, type TableOf } from './columns.js';

/**
 * `notification_group_items` (migration 0013): one drift of a notification group, with the alert
 * text built from the messages that carried it (`item`). Owned by notifier.
 */
export const notificationGroupItemsColumns = {
  group_id: notNull('int4'),
  drift_event_id: notNull('int4'),
  organization_id: notNull('int4'),
  priority: notNull('varchar(10)', ['low', 'medium', 'high', 'critical']),
  severity_score: nullable('numeric(3,2)'),
  is_security_critical: notNullDefault('bool'),
  analysis_pending: notNullDefault('bool'),
  item: notNull('jsonb'),
  changed_at: notNullDefault('timestamptz'),
  resolved_at: nullable('timestamptz'),
  acknowledged_at: nullable('timestamptz'),
  acknowledged_by: nullable('varchar(255)'),
  notified_version: nullable('int4'),
} as const;

export type NotificationGroupItemsTable = TableOf<typeof notificationGroupItemsColumns>;
export type NotificationGroupItem = Selectable<NotificationGroupItemsTable>;
export type NewNotificationGroupItem = Insertable<NotificationGroupItemsTable>;
export type NotificationGroupItemUpdate = Updateable<NotificationGroupItemsTable>;
