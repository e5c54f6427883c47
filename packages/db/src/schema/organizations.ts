import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, nullableDefault, type TableOf } from './columns.js';

/** `organizations`: A tenant. Owned by api. */
export const organizationsColumns = {
  id: notNullDefault('int4'),
  name: notNull('varchar(255)'),
  slug: notNull('varchar(100)'),
  description: nullable('text'),
  contact_email: nullable('varchar(320)'),
  created_at: nullableDefault('timestamptz'),
  updated_at: nullableDefault('timestamptz'),
  is_active: nullableDefault('bool'),
} as const;

export type OrganizationsTable = TableOf<typeof organizationsColumns>;
export type Organization = Selectable<OrganizationsTable>;
export type NewOrganization = Insertable<OrganizationsTable>;
export type OrganizationUpdate = Updateable<OrganizationsTable>;
