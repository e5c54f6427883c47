import { DetectedDriftChange, DriftType, ResourceIdentity, type JsonValue } from '@driftguard/contracts';
import { listDriftChanges, type Database } from '@driftguard/db';
import type { Kysely } from 'kysely';
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
