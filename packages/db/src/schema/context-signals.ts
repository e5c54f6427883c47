import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, type TableOf } from './columns.js';

/**
 * `context_signals`: An outside signal (commit, incident, alert, deployment, ...) kept for
 * correlation; unique per source event. Owned by analysis. `id` is bigserial, hence a string.
 * `match_keys` (migration 0011): the names the signal could match a resource by, GIN-indexed.
 */
export const contextSignalsColumns = {
  id: notNullDefault('int8'),
  organization_id: notNull('int4'),
  environment_id: nullable('int4'),
  context_type: notNull('varchar(30)'),
  external_system: notNull('varchar(50)'),
  external_id: notNull('varchar(255)'),
  occurred_at: notNull('timestamptz'),
  resource_refs: notNullDefault('jsonb'),
  actor: nullable('varchar(255)'),
  data: notNull('jsonb'),
  received_at: notNullDefault('timestamptz'),
  match_keys: notNullDefault('_text'),
} as const;

export type ContextSignalsTable = TableOf<typeof contextSignalsColumns>;
export type ContextSignal = Selectable<ContextSignalsTable>;
export type NewContextSignal = Insertable<ContextSignalsTable>;
export type ContextSignalUpdate = Updateable<ContextSignalsTable>;
