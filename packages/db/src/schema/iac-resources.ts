import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, nullableDefault, type TableOf } from './columns.js';

/**
 * `iac_resources`: A declared resource, identified by its address within a repository. Owned by
 * ingest.
 */
export const iacResourcesColumns = {
  id: notNullDefault('int4'),
  iac_repository_id: nullable('int4'),
  resource_type: notNull('varchar(100)'),
  resource_id: notNull('varchar(255)'),
  declared_state: notNull('jsonb'),
  last_sync_at: nullableDefault('timestamptz'),
  created_at: nullableDefault('timestamptz'),
  updated_at: nullableDefault('timestamptz'),
} as const;

export type IacResourcesTable = TableOf<typeof iacResourcesColumns>;
export type IacResource = Selectable<IacResourcesTable>;
export type NewIacResource = Insertable<IacResourcesTable>;
export type IacResourceUpdate = Updateable<IacResourcesTable>;
