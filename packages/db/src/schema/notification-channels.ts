import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, nullableDefault, type TableOf } from './columns.js';

/**
 * `notification_channels`: A Slack / PagerDuty / webhook / email destination. Owned by api. Keys
 * inside `configuration` are stored encrypted.
 */
export const notificationChannelsColumns = {
  id: notNullDefault('int4'),
  organization_id: nullable('int4'),
  name: notNull('varchar(255)'),
  channel_type: notNull('varchar(30)', ['email', 'slack', 'webhook', 'pagerduty']),
  configuration: notNull('jsonb'),
  is_active: nullableDefault('bool'),
  created_at: nullableDefault('timestamptz'),
  /** migration 0013: receives what no routing rule routes (when no channel is default: every active channel) */
  is_default: notNullDefault('bool'),
} as const;

export type NotificationChannelsTable = TableOf<typeof notificationChannelsColumns>;
export type NotificationChannel = Selectable<NotificationChannelsTable>;
export type NewNotificationChannel = Insertable<NotificationChannelsTable>;
export type NotificationChannelUpdate = Updateable<NotificationChannelsTable>;
