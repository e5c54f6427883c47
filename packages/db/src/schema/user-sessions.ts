import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, nullable, nullableDefault, type TableOf } from './columns.js';

/** `user_sessions`: A console session; `id` is the sha256 (hex) of the cookie's secret. Owned by api. */
export const userSessionsColumns = {
  id: notNull('varchar(255)'),
  user_id: notNull('int4'),
  organization_id: nullable('int4'),
  ip_address: notNull('inet'),
  user_agent: nullable('text'),
  created_at: nullableDefault('timestamptz'),
  expires_at: notNull('timestamptz'),
  last_activity: nullableDefault('timestamptz'),
  is_active: nullableDefault('bool'),
  /** Set by logout or revocation (migration 0014). */
  revoked_at: nullable('timestamptz'),
} as const;

export type UserSessionsTable = TableOf<typeof userSessionsColumns>;
export type UserSession = Selectable<UserSessionsTable>;
export type NewUserSession = Insertable<UserSessionsTable>;
export type UserSessionUpdate = Updateable<UserSessionsTable>;
