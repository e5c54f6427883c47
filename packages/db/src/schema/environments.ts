import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, nullableDefault, type TableOf } from './columns.js';

/** `environments`: A cloud account / project / subscription an organization watches. Owned by api. */
export const environmentsColumns = {
  id: notNullDefault('int4'),
  organization_id: nullable('int4'),
  name: notNull('varchar(255)'),
  slug: notNull('varchar(100)'),
  cloud_provider: notNull('varchar(20)', ['aws', 'gcp', 'azure']),
  region: nullable('varchar(50)'),
  account_id: nullable('varchar(50)'),
  tags: nullableDefault('jsonb'),
  created_at: nullableDefault('timestamptz'),
  updated_at: nullableDefault('timestamptz'),
  is_active: nullableDefault('bool'),
} as const;

export type EnvironmentsTable = TableOf<typeof environmentsColumns>;
export type Environment = Selectable<EnvironmentsTable>;
export type NewEnvironment = Insertable<EnvironmentsTable>;
export type EnvironmentUpdate = Updateable<EnvironmentsTable>;
