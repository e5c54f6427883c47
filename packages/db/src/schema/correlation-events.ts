import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, nullableDefault, type TableOf } from './columns.js';

/**
 * `correlation_events`: An outside event correlated with a drift. Owned by analysis.
 * `temporal_offset` is PostgreSQL interval text.
 */
export const correlationEventsColumns = {
  id: notNullDefault('int4'),
  drift_event_id: nullable('int4'),
  correlation_type: notNull('varchar(50)'),
  external_id: notNull('varchar(255)'),
  external_system: notNull('varchar(50)'),
  event_data: notNull('jsonb'),
  correlation_score: nullable('numeric(3,2)'),
  temporal_offset: nullable('interval'),
  created_at: nullableDefault('timestamptz'),
} as const;

export type CorrelationEventsTable = TableOf<typeof correlationEventsColumns>;
export type CorrelationEvent = Selectable<CorrelationEventsTable>;
export type NewCorrelationEvent = Insertable<CorrelationEventsTable>;
export type CorrelationEventUpdate = Updateable<CorrelationEventsTable>;
