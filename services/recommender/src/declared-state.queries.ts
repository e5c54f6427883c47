import { DetectedDriftChange, DriftType, ResourceIdentity, type JsonValue } from '@driftguard/contracts';
import { listDriftChanges, type Database } from '@driftguard/db';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { StoredDrift } from './drift-view.js';

/**
 * Read-only queries of ingest's rows (drift_events, drift_changes, iac_resources): what a
 * message cannot reasonably carry, i.e. the declared configuration a generated patch applies
 * to and the live body of an unmanaged resource. The recommender never writes these tables.
 */

/** The live body ingest stored for an unmanaged (added) resource, secrets masked. */
export async function liveBody(db: Kysely<Database>, driftEventId: number): Promise<JsonValue | null> {
  const row = await db.selectFrom('drift_events').select('actual_state').where('id', '=', driftEventId).executeTakeFirst();
  return row?.actual_state ?? null;
}

/** Where to look for one drift's declared configuration. */
export interface DeclaredStateQuery {
  iacResourceId: number | null;
  envId: number;
  address: string | undefined;
}

/**
 * The declared configuration of each drifted resource: the drift's own iac_resources row, else
 * the resource with that address in one of the environment's repositories. One statement for all.
 */
export async function declaredStates(
  db: Kysely<Database>,
  queries: readonly DeclaredStateQuery[],
): Promise<(JsonValue | null)[]> {
  if (queries.length === 0) return [];
  const asked = queries.map((q, i) => ({ i, iac: q.iacResourceId, env: q.envId, address: q.address ?? null }));
  const { rows } = await sql<{ i: number; declared: JsonValue | null }>`
    SELECT q.i, CASE WHEN EXISTS (SELECT 1 FROM iac_resources r WHERE r.id = q.iac)
      THEN (SELECT r.declared_state FROM iac_resources r WHERE r.id = q.iac)
      ELSE (SELECT r.declared_state FROM iac_resources r JOIN iac_repositories p ON p.id = r.iac_repository_id
              WHERE q.address IS NOT NULL AND p.environment_id = q.env AND r.resource_id = q.address
              ORDER BY r.last_sync_at DESC LIMIT 1)
      END AS declared
    FROM jsonb_to_recordset(${JSON.stringify(asked)}::jsonb) AS q(i int, iac int, env int, address text)`.execute(db);
  const found: (JsonValue | null)[] = queries.map(() => null);
  for (const r of rows) found[r.i] = r.declared;
  return found;
}

/** A file of a synced repository declaring the resource: ingest's iac_source_files, secrets masked. */
export interface DeclaringFileRow {
  path: string;
  commit: string;
  /** null when the file was over the size bound */
  text: string | null;
}

export type DeclaringFileLookup = { file: DeclaringFileRow } | { ambiguous: string[] } | null;

/** Which resource one drift's declaring file must declare, and where to look. */
export interface DeclaringFileQuery {
  iacResourceId: number | null;
  envId: number;
  key: string;
}

/** Files listed per query: past one, which declares the resource is ambiguous. */
const MAX_DECLARING = 5;

/**
 * For each query, the synced file declaring `key` (a resource id, or a Terraform address without
 * instance keys): in the drift's own repository when known, else in any of the environment's.
 * Several files declaring it (one Terraform module used by two roots) is `ambiguous`, with their
 * paths. One statement for all.
 */
export async function declaringFiles(
  db: Kysely<Database>,
  queries: readonly DeclaringFileQuery[],
): Promise<DeclaringFileLookup[]> {
  if (queries.length === 0) return [];
  const asked = queries.map((q, i) => ({ i, iac: q.iacResourceId, env: q.envId, key: q.key }));
  const { rows } = await sql<{ i: number; path: string; commit_sha: string; content: string | null }>`
    SELECT q.i, f.path, f.commit_sha, f.content
    FROM jsonb_to_recordset(${JSON.stringify(asked)}::jsonb) AS q(i int, iac int, env int, key text)
    CROSS JOIN LATERAL (
      SELECT f.path, f.commit_sha, f.content FROM iac_source_files f JOIN iac_repositories r ON r.id = f.iac_repository_id
      WHERE r.environment_id = q.env AND f.declares @> ARRAY[q.key]::text[]
        AND (q.iac IS NULL OR f.iac_repository_id = (SELECT iac_repository_id FROM iac_resources WHERE id = q.iac))
      ORDER BY f.path LIMIT ${MAX_DECLARING}) f
    ORDER BY q.i, f.path`.execute(db);
  const files: DeclaringFileRow[][] = queries.map(() => []);
  for (const r of rows) files[r.i]!.push({ path: r.path, commit: r.commit_sha, text: r.content });
  return files.map((found) => {
    if (found.length === 0) return null;
    if (found.length > 1) return { ambiguous: found.map((f) => f.path) };
    return { file: found[0]! };
  });
}

const StoredMetadata = z.object({ resource: ResourceIdentity, previousAddress: z.string().optional() });

/** The drift as ingest stored it, for an analysis that carries no summary. */
export async function storedDrift(db: Kysely<Database>, driftEventId: number): Promise<StoredDrift | null> {
  const row = await db
    .selectFrom('drift_events')
    .select(['drift_type', 'metadata', 'observed_at', 'detected_at'])
    .where('id', '=', driftEventId)
    .executeTakeFirst();
  if (!row) return null;
  const meta = StoredMetadata.safeParse(row.metadata);
  const type = DriftType.safeParse(row.drift_type);
  if (!meta.success || !type.success) return null;
  const changes = (await listDriftChanges(db, driftEventId, { limit: 1000 })).flatMap((c) => {
    const parsed = DetectedDriftChange.safeParse({
      path: c.path,
      ...(c.declared !== null ? { declared: c.declared } : {}),
      ...(c.actual !== null ? { actual: c.actual } : {}),
      changeType: c.changeType,
      sensitive: c.sensitive,
      securityRuleIds: c.securityRuleIds,
    });
    return parsed.success ? [parsed.data] : [];
  });
  const observed = row.observed_at ?? row.detected_at;
  return {
    driftType: type.data,
    resource: meta.data.resource,
    changes,
    ...(observed ? { observedAt: observed.toISOString() } : {}),
  };
}
