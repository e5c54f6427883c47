import type { Insertable, Selectable } from 'kysely';
import { notNull, notNullDefault, nullable, type TableOf } from './columns.js';

/**
 * `maintenance_windows` (migration 0013): recurring maintenance windows and quiet hours, weekdays
 * (0 = Sunday) and a `HH:MM` range in an IANA time zone (an end before the start spans midnight).
 * Owned by notifier.
 */
export const maintenanceWindowsColumns = {
  id: notNullDefault('int4'),
  organization_id: notNull('int4'),
  environment_id: nullable('int4'),
  name: notNull('varchar(255)'),
  kind: notNullDefault('varchar(20)', ['maintenance', 'quiet_hours']),
  weekdays: notNullDefault('jsonb'),
  start_time: notNull('varchar(5)'),
  end_time: notNull('varchar(5)'),
  time_zone: notNullDefault('varchar(64)'),
  is_active: notNullDefault('bool'),
  created_at: notNullDefault('timestamptz'),
} as const;

export type MaintenanceWindowsTable = TableOf<typeof maintenanceWindowsColumns>;
export type MaintenanceWindow = Selectable<MaintenanceWindowsTable>;
export type NewMaintenanceWindow = Insertable<MaintenanceWindowsTable>;
