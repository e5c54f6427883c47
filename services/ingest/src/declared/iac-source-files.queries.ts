import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '@driftguard/db';
import { DECLARED_LIMITS } from '../limits.js';
import type { DeclaringFile } from './repository-files.js';

/** What a replacement of a repository's declaring files kept. */
export interface SourceFileCounts {
  /** files stored */
  files: number;
  /** of those, stored without their text (over maxSourceFileBytes, or past the repository's budget) */
  withoutText: number;
  /** files added, changed (text or what they declare) or removed by this replacement */
  changed: number;
}

/** Rows per insert statement: one JSON parameter each. */
const INSERT_CHUNK_ROWS = 200;

/**
 * Makes `files` the declaring files of a repository at `commit`, in the caller's transaction
 * (the one that writes its declared state, under the repository's sync lock): upserts each by
 * path and deletes the files no longer declaring anything. Text past the size bounds is not
 * kept; its file keeps its path and what it declares. `files` carry masked text only.
 */
export async function replaceSourceFiles(
  tx: Transaction<Database>,
  repositoryId: number,
  commit: string,
  files: readonly DeclaringFile[],
): Promise<SourceFileCounts> {
  let budget = DECLARED_LIMITS.maxSourceBytesPerRepository;
  let withoutText = 0;
  const rows = [...files]
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((f) => {
      const bytes = Buffer.byteLength(f.text, 'utf8');
      const keep = bytes <= DECLARED_LIMITS.maxSourceFileBytes && bytes <= budget;
      if (keep) budget -= bytes;
      else withoutText++;
      return {
        p: f.path,
        c: keep ? f.text : null,
        b: bytes,
        h: createHash('sha256').update(f.text).digest('hex'),
        d: f.declares,
      };
    });
  const before = await tx
    .selectFrom('iac_source_files')
    .select(['path', 'content_sha256', 'declares'])
    .where('iac_repository_id', '=', repositoryId)
    .execute();
  const known = new Map(before.map((b) => [b.path, `${b.content_sha256} ${b.declares.join(',')}`]));
  const paths = new Set(rows.map((r) => r.p));
  const changed =
    rows.filter((r) => known.get(r.p) !== `${r.h} ${r.d.join(',')}`).length + before.filter((b) => !paths.has(b.path)).length;
  for (let i = 0; i < rows.length; i += INSERT_CHUNK_ROWS) {
    const chunk = JSON.stringify(rows.slice(i, i + INSERT_CHUNK_ROWS));
    await sql`
      INSERT INTO iac_source_files AS f (iac_repository_id, path, commit_sha, content, content_bytes, content_sha256, declares, synced_at)
      SELECT ${repositoryId}::int, t.p, ${commit}, t.c, t.b, t.h, ARRAY(SELECT jsonb_array_elements_text(t.d)), now()
      FROM jsonb_to_recordset(${chunk}::jsonb) AS t(p text, c text, b int, h text, d jsonb)
      ON CONFLICT (iac_repository_id, path) DO UPDATE SET
        commit_sha = EXCLUDED.commit_sha, content = EXCLUDED.content, content_bytes = EXCLUDED.content_bytes,
        content_sha256 = EXCLUDED.content_sha256, declares = EXCLUDED.declares, synced_at = EXCLUDED.synced_at`.execute(tx);
  }
  await sql`DELETE FROM iac_source_files WHERE iac_repository_id = ${repositoryId}::int
    AND NOT (path = ANY(${rows.map((r) => r.p)}::text[]))`.execute(tx);
  return { files: rows.length, withoutText, changed };
}
