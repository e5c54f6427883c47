import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, type TableOf } from './columns.js';

/** `users`: A person of an organization. Owned by api. `email` is stored lower-case. */
export const usersColumns = {
  id: notNullDefault('int4'),
  organization_id: notNull('int4'),
  email: notNull('varchar(320)'),
  display_name: nullable('varchar(255)'),
  role: notNullDefault('varchar(20)', ['admin', 'engineer', 'viewer']),
  password_hash: nullable('text'),
  created_at: notNullDefault('timestamptz'),
  is_active: notNullDefault('bool'),
  /** The OpenID Connect identity bound at the first OIDC sign-in (migration 0014). */
  oidc_issuer: nullable('varchar(2048)'),
  oidc_subject: nullable('varchar(255)'),
} as const;

export type UsersTable = TableOf<typeof usersColumns>;
export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
