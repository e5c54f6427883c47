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

/**
 * The declared configuration of the drifted resource: the drift's own iac_resources row, else
 * the resource with that address in one of the environment's repositories.
 */
export async function declaredState(
  db: Kysely<Database>,
  q: { iacResourceId: number | null; envId: number; address: string | undefined },
): Promise<JsonValue | null> {
  if (q.iacResourceId !== null) {
    const row = await db
      .selectFrom('iac_resources')
      .select('declared_state')
      .where('id', '=', q.iacResourceId)
      .executeTakeFirst();
    if (row) return row.declared_state;
  }
  if (!q.address) return null;
  const row = await db
    .selectFrom('iac_resources')
    .innerJoin('iac_repositories', 'iac_repositories.id', 'iac_resources.iac_repository_id')
    .select('iac_resources.declared_state')
    .where('iac_repositories.environment_id', '=', q.envId)
    .where('iac_resources.resource_id', '=', q.address)
    .orderBy('iac_resources.last_sync_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.declared_state ?? null;
}

/** A file of a synced repository declaring the resource: ingest's iac_source_files, secrets masked. */
export interface DeclaringFileRow {
  path: string;
  commit: string;
  /** null when the file was over the size bound */
  text: string | null;
}

export type DeclaringFileLookup = { file: DeclaringFileRow } | { ambiguous: string[] } | null;

/**
 * The synced file declaring `key` (a resource id, or a Terraform address without instance
 * keys): in the drift's own repository when known, else in any of the environment's. Several
 * files declaring it (one Terraform module used by two roots) is `ambiguous`, with their paths.
 */
export async function declaringFile(
  db: Kysely<Database>,
  q: { iacResourceId: number | null; envId: number; key: string },
): Promise<DeclaringFileLookup> {
  let query = db
    .selectFrom('iac_source_files as f')
    .innerJoin('iac_repositories as r', 'r.id', 'f.iac_repository_id')
    .select(['f.path', 'f.commit_sha', 'f.content'])
    .where('r.environment_id', '=', q.envId)
    .where(sql<boolean>`f.declares @> ARRAY[${q.key}]::text[]`)
    .orderBy('f.path')
    .limit(5);
  if (q.iacResourceId !== null) {
    query = query.where(
      'f.iac_repository_id',
      '=',
      db.selectFrom('iac_resources').select('iac_repository_id').where('id', '=', q.iacResourceId),
    );
  }
  const rows = await query.execute();
  if (rows.length === 0) return null;
  if (rows.length > 1) return { ambiguous: rows.map((r) => r.path) };
  const row = rows[0]!;
  return { file: { path: row.path, commit: row.commit_sha, text: row.content } };
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
