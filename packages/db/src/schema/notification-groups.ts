import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, type TableOf } from './columns.js';

/**
 * `notification_groups` (migration 0013): drifts notified together (one environment, optionally
 * one scan or resource type), flushed at `flush_at` and reminded at `repeat_at`. Owned by notifier.
 */
export const notificationGroupsColumns = {
  id: notNullDefault('int4'),
  organization_id: notNull('int4'),
  environment_id: notNull('int4'),
  group_key: notNull('varchar(255)'),
  status: notNullDefault('varchar(20)', ['open', 'resolved']),
  environment: notNull('jsonb'),
  flush_at: nullable('timestamptz'),
  repeat_at: nullable('timestamptz'),
  last_flushed_at: nullable('timestamptz'),
  version: notNullDefault('int4'),
  created_at: notNullDefault('timestamptz'),
  resolved_at: nullable('timestamptz'),
} as const;

export type NotificationGroupsTable = TableOf<typeof notificationGroupsColumns>;
export type NotificationGroup = Selectable<NotificationGroupsTable>;
export type NewNotificationGroup = Insertable<NotificationGroupsTable>;
export type NotificationGroupUpdate = Updateable<NotificationGroupsTable>;
