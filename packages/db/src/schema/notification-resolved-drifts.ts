import type { Insertable, Selectable } from 'kysely';
import { notNull, type TableOf } from './columns.js';

/**
 * `notification_resolved_drifts` (migration 0013): drift resolutions the notifier has seen, so a
 * recommendation that arrives after its drift's resolution does not alert. Owned by notifier.
 */
export const notificationResolvedDriftsColumns = {
  organization_id: notNull('int4'),
  drift_event_id: notNull('int4'),
  resolved_at: notNull('timestamptz'),
} as const;

export type NotificationResolvedDriftsTable = TableOf<typeof notificationResolvedDriftsColumns>;
export type NotificationResolvedDrift = Selectable<NotificationResolvedDriftsTable>;
export type NewNotificationResolvedDrift = Insertable<NotificationResolvedDriftsTable>;
