import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, nullableDefault, type TableOf } from './columns.js';

/**
 * `iac_repositories`: A repository of IaC declaring an environment. Owned by api; ingest writes
 * `last_sync_at`. `credentials_encrypted` holds encryptSecret() output.
 */
export const iacRepositoriesColumns = {
  id: notNullDefault('int4'),
  environment_id: nullable('int4'),
  name: notNull('varchar(255)'),
  repository_url: nullable('varchar(500)'),
  branch: nullableDefault('varchar(100)'),
  tool: notNull('varchar(20)', ['terraform', 'cloudformation', 'kubernetes']),
  last_sync_at: nullable('timestamptz'),
  credentials_encrypted: nullable('bytea'),
  created_at: nullableDefault('timestamptz'),
  updated_at: nullableDefault('timestamptz'),
} as const;

export type IacRepositoriesTable = TableOf<typeof iacRepositoriesColumns>;
export type IacRepository = Selectable<IacRepositoriesTable>;
export type NewIacRepository = Insertable<IacRepositoriesTable>;
export type IacRepositoryUpdate = Updateable<IacRepositoriesTable>;
