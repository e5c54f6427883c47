import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, type TableOf } from './columns.js';

/**
 * `channel_health` (migration 0013): pacing and health of one channel: the earliest next send
 * (rate limit, Retry-After), consecutive failures and since when. Owned by notifier.
 */
export const channelHealthColumns = {
  channel_id: notNull('int4'),
  organization_id: notNull('int4'),
  next_send_at: notNullDefault('timestamptz'),
  consecutive_failures: notNullDefault('int4'),
  failing_since: nullable('timestamptz'),
  healthy: notNullDefault('bool'),
  unhealthy_reported_at: nullable('timestamptz'),
  last_success_at: nullable('timestamptz'),
  last_error: nullable('text'),
} as const;

export type ChannelHealthTable = TableOf<typeof channelHealthColumns>;
export type ChannelHealth = Selectable<ChannelHealthTable>;
export type NewChannelHealth = Insertable<ChannelHealthTable>;
export type ChannelHealthUpdate = Updateable<ChannelHealthTable>;
