import { sql, type Transaction } from 'kysely';
import { writeAudit, type Database } from '@driftguard/db';
import type { JsonValue } from '@driftguard/contracts';
import { identityProblem, type DeclaredResource } from './declared-resource.js';
import { touchRepositorySync } from './iac-repositories.queries.js';
import { maskSecrets } from '../sensitivity/index.js';

/** What a replacement changed. `unchanged` rows were confirmed (last_sync_at) but not rewritten. */
export interface ReplaceCounts {
  repositoryId: number;
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  /** resources declared now */
  total: number;
}

export interface ReplaceOptions {
  /** where the declared state came from, kept in the audit row: 'upload', 'git', … */
  source?: string;
  /** extra facts for the audit row (token id, commit, rejected count) */
  details?: { [key: string]: JsonValue };
  /** write the audit row even when nothing changed (default true; periodic syncs pass false) */
  auditUnchanged?: boolean;
}

export type RepositoryNotFoundCode = 'repository_not_found';

export class RepositoryNotFoundError extends Error {
  override readonly name = 'RepositoryNotFoundError';
  readonly code: RepositoryNotFoundCode = 'repository_not_found';

  constructor(readonly repositoryId: number) {
    super(`IaC repository ${repositoryId} does not exist`);
  }
}

/** Rows per upsert statement: one JSON parameter each, far under PostgreSQL's limits. */
const UPSERT_CHUNK_ROWS = 1000;
/** …and at most this much JSON text per statement, whatever the row count. */
const UPSERT_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Makes `resources` the declared state of a repository, in the caller's transaction: upserts
 * each on (repository, resource id), deletes those no longer declared (after unlinking the drift
 * events that pointed at them; a drift keeps naming its resource in its metadata), sets the
 * repository's last_sync_at, and writes one audit row with the counts. A resource id given twice
 * keeps its last declaration. Throws RepositoryNotFoundError when the repository does not exist.
 */
export async function replaceDeclaredResources(
  tx: Transaction<Database>,
  repositoryId: number,
  resources: readonly DeclaredResource[],
  options: ReplaceOptions = {},
): Promise<ReplaceCounts> {
  const byId = new Map<string, DeclaredResource>();
  for (const resource of resources) {
    const problem = identityProblem(resource.resourceType, resource.resourceId);
    if (problem !== null) throw new RangeError(`cannot store declared resource: ${problem}`);
    // Every declared state (upload or git, any reader) is stored through the one secret mask.
    byId.set(resource.resourceId, { ...resource, declaredState: maskSecrets(resource.declaredState) });
  }
  const repository = await touchRepositorySync(tx, repositoryId);
  if (repository === undefined) throw new RepositoryNotFoundError(repositoryId);

  let added = 0;
  let updated = 0;
  for (const payload of jsonChunks([...byId.values()])) {
    const rows = await upsertChunk(tx, repositoryId, payload);
    for (const row of rows) {
      if (row.inserted) added++;
      else if (row.changed) updated++;
    }
  }
  const removed = await deleteUndeclared(tx, repositoryId, [...byId.keys()]);
  const counts: ReplaceCounts = {
    repositoryId,
    added,
    updated,
    unchanged: byId.size - added - updated,
    removed,
    total: byId.size,
  };

  if (options.auditUnchanged !== false || added + updated + removed > 0) {
    await writeAudit(tx, {
      organizationId: repository.organizationId,
      action: 'iac_resources.replaced',
      resourceType: 'iac_repository',
      resourceId: repositoryId,
      newValues: {
        added,
        updated,
        unchanged: counts.unchanged,
        removed,
        total: counts.total,
        ...(options.source ? { source: options.source } : {}),
        ...options.details,
      },
    });
  }
  return counts;
}

/** `payload`: a JSON array of `{ t: type, i: id, s: state }`. */
async function upsertChunk(
  tx: Transaction<Database>,
  repositoryId: number,
  payload: string,
): Promise<{ inserted: boolean; changed: boolean }[]> {
  // xmax = 0 only on a freshly inserted row version; an unchanged row keeps its updated_at.
  const result = await sql<{ inserted: boolean; changed: boolean }>`
    INSERT INTO iac_resources AS r (iac_repository_id, resource_type, resource_id, declared_state, last_sync_at, created_at, updated_at)
    SELECT ${repositoryId}::int, t.t, t.i, t.s, now(), now(), now()
    FROM jsonb_to_recordset(${payload}::jsonb) AS t(t text, i text, s jsonb)
    ON CONFLICT (iac_repository_id, resource_id) DO UPDATE SET
      resource_type = EXCLUDED.resource_type,
      declared_state = EXCLUDED.declared_state,
      last_sync_at = EXCLUDED.last_sync_at,
      updated_at = CASE
        WHEN r.declared_state IS DISTINCT FROM EXCLUDED.declared_state OR r.resource_type IS DISTINCT FROM EXCLUDED.resource_type
        THEN EXCLUDED.updated_at ELSE r.updated_at END
    RETURNING (r.xmax = 0) AS inserted, (r.updated_at = now()) AS changed`.execute(tx);
  return result.rows;
}

/** Deletes the repository's resources not in `keep`; drift events lose the link first. */
async function deleteUndeclared(tx: Transaction<Database>, repositoryId: number, keep: string[]): Promise<number> {
  const undeclared = sql`SELECT id FROM iac_resources
    WHERE iac_repository_id = ${repositoryId}::int AND NOT (resource_id = ANY(${keep}::text[]))`;
  await sql`UPDATE drift_events SET iac_resource_id = NULL WHERE iac_resource_id IN (${undeclared})`.execute(tx);
  const deleted = await sql<{ id: number }>`DELETE FROM iac_resources WHERE id IN (${undeclared}) RETURNING id`.execute(tx);
  return deleted.rows.length;
}

/** The resources as JSON array texts of bounded row count and size, one per upsert statement. */
function* jsonChunks(resources: DeclaredResource[]): Generator<string> {
  let rows: string[] = [];
  let bytes = 0;
  for (const r of resources) {
    const row = JSON.stringify({ t: r.resourceType, i: r.resourceId, s: r.declaredState });
    if (rows.length > 0 && (rows.length >= UPSERT_CHUNK_ROWS || bytes + row.length > UPSERT_CHUNK_BYTES)) {
      yield `[${rows.join(',')}]`;
      rows = [];
      bytes = 0;
    }
    rows.push(row);
    bytes += row.length;
  }
  if (rows.length > 0) yield `[${rows.join(',')}]`;
}
