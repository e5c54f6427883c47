import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, nullableDefault, type TableOf } from './columns.js';

/**
 * `drift_changes`: One changed property (a JSON Pointer) of a drift. Owned by ingest. Sensitive
 * values are masked and only `value_hash` is kept.
 */
export const driftChangesColumns = {
  id: notNullDefault('int4'),
  drift_event_id: nullable('int4'),
  property_path: notNull('varchar(500)'),
  declared_value: nullable('jsonb'),
  actual_value: nullable('jsonb'),
  change_type: notNull('varchar(20)', ['modified', 'added', 'removed']),
  is_security_critical: nullableDefault('bool'),
  created_at: nullableDefault('timestamptz'),
  is_sensitive: notNullDefault('bool'),
  value_hash: nullable('varchar(64)'),
  security_rule_ids: notNullDefault('jsonb'),
} as const;

export type DriftChangesTable = TableOf<typeof driftChangesColumns>;
export type DriftChange = Selectable<DriftChangesTable>;
export type NewDriftChange = Insertable<DriftChangesTable>;
export type DriftChangeUpdate = Updateable<DriftChangesTable>;
