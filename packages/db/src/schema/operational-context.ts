import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, nullableDefault, type TableOf } from './columns.js';

/**
 * `operational_context`: Operational context (incident, deployment, ...) around a drift. Owned by
 * analysis.
 */
export const operationalContextColumns = {
  id: notNullDefault('int4'),
  drift_event_id: nullable('int4'),
  context_type: notNull('varchar(30)', ['incident', 'deployment', 'maintenance', 'security_event']),
  context_data: notNull('jsonb'),
  incident_impact: nullable('varchar(10)', ['low', 'medium', 'high']),
  time_window: nullable('interval'),
  created_at: nullableDefault('timestamptz'),
} as const;

export type OperationalContextTable = TableOf<typeof operationalContextColumns>;
export type OperationalContext = Selectable<OperationalContextTable>;
export type NewOperationalContext = Insertable<OperationalContextTable>;
export type OperationalContextUpdate = Updateable<OperationalContextTable>;
