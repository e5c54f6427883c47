import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, type TableOf } from './columns.js';

/**
 * `iac_source_files`: the text of a file that declares resources of a repository synced from git
 * (migration 0022), secrets masked; `content` is null past the size bound. `declares` lists the
 * resource ids, or Terraform addresses without instance keys, the file declares. Owned by
 * ingest, read by the recommender for unified diffs.
 */
export const iacSourceFilesColumns = {
  id: notNullDefault('int4'),
  iac_repository_id: notNull('int4'),
  path: notNull('varchar(1000)'),
  commit_sha: notNull('varchar(64)'),
  content: nullable('text'),
  content_bytes: notNull('int4'),
  content_sha256: notNull('varchar(64)'),
  declares: notNullDefault('_text'),
  synced_at: notNullDefault('timestamptz'),
} as const;

export type IacSourceFilesTable = TableOf<typeof iacSourceFilesColumns>;
export type IacSourceFile = Selectable<IacSourceFilesTable>;
export type NewIacSourceFile = Insertable<IacSourceFilesTable>;
export type IacSourceFileUpdate = Updateable<IacSourceFilesTable>;
