import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, type TableOf } from './columns.js';

/**
 * `api_tokens`: An API token; only the sha256 of its secret is stored. Null `environment_id` =
 * organization-wide. Owned by api.
 */
export const apiTokensColumns = {
  id: notNullDefault('int4'),
  organization_id: notNull('int4'),
  environment_id: nullable('int4'),
  name: notNull('varchar(255)'),
  token_prefix: notNull('varchar(16)'),
  token_hash: notNull('bytea'),
  role: notNull('varchar(20)', ['admin', 'engineer', 'viewer', 'scanner']),
  created_at: notNullDefault('timestamptz'),
  expires_at: nullable('timestamptz'),
  last_used_at: nullable('timestamptz'),
  revoked_at: nullable('timestamptz'),
} as const;

export type ApiTokensTable = TableOf<typeof apiTokensColumns>;
export type ApiToken = Selectable<ApiTokensTable>;
export type NewApiToken = Insertable<ApiTokensTable>;
export type ApiTokenUpdate = Updateable<ApiTokensTable>;
