import type { Database, MlModel } from '@driftguard/db';
import { sql, type Kysely, type Transaction } from 'kysely';

type Db = Kysely<Database>;

/** Registry row fields DriftGuard writes for a trained model. */
export interface NewModelVersion {
  name: string;
  version: string;
  framework: string;
  features: readonly string[];
  targetClasses: readonly string[];
  metrics: Record<string, number>;
  trainedAt: Date;
  /** Model artifact and training details, jsonb. */
  metadata: Record<string, unknown>;
}

/** Serializes registrations of one model name (version numbering, activation, pruning). */
export async function lockModelName(tx: Transaction<Database>, name: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`ml_models:${name}`}))`.execute(tx);
}

/** The next version label of `name`: v1, v2, … (one more than the highest kept). */
export async function nextModelVersion(tx: Transaction<Database>, name: string): Promise<string> {
  const row = await tx
    .selectFrom('ml_models')
    .select(sql<number>`coalesce(max(substring(version from '^v([0-9]+)$')::int), 0)`.as('n'))
    .where('name', '=', name)
    .executeTakeFirst();
  return `v${(row?.n ?? 0) + 1}`;
}

export async function insertModelVersion(tx: Transaction<Database>, m: NewModelVersion): Promise<number> {
  const row = await tx
    .insertInto('ml_models')
    .values({
      name: m.name,
      version: m.version,
      model_type: 'classification',
      framework: m.framework,
      features: JSON.stringify(m.features),
      target_classes: JSON.stringify(m.targetClasses),
      metrics: JSON.stringify(m.metrics),
      trained_at: m.trainedAt,
      is_active: false,
      metadata: JSON.stringify(m.metadata),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The active version of `name`, artifact included. */
export async function findActiveModel(db: Db, name: string): Promise<MlModel | undefined> {
  return db.selectFrom('ml_models').selectAll().where('name', '=', name).where('is_active', '=', true).executeTakeFirst();
}

/** Every kept version of `name`, newest first, without the artifact. */
export async function listModelVersions(db: Db, name: string) {
  return db
    .selectFrom('ml_models')
    .select(['id', 'version', 'is_active', 'trained_at', 'deployed_at', 'metrics'])
    .where('name', '=', name)
    .orderBy('id', 'desc')
    .execute();
}

/** Makes `id` the one active version of `name`. */
export async function activateModel(tx: Transaction<Database>, name: string, id: number, at: Date): Promise<void> {
  await tx
    .updateTable('ml_models')
    .set({ is_active: false })
    .where('name', '=', name)
    .where('id', '!=', id)
    .where('is_active', '=', true)
    .execute();
  await tx.updateTable('ml_models').set({ is_active: true, deployed_at: at }).where('id', '=', id).execute();
}

/**
 * Deletes all but the newest `keep` versions of `name` (never the active one) with their
 * evaluations; predictions made with them keep their row and the version in their metadata.
 */
export async function pruneModelVersions(tx: Transaction<Database>, name: string, keep: number): Promise<number[]> {
  const rows = await tx
    .selectFrom('ml_models')
    .select(['id', 'is_active'])
    .where('name', '=', name)
    .orderBy('id', 'desc')
    .execute();
  const doomed = rows
    .slice(keep)
    .filter((r) => !r.is_active)
    .map((r) => r.id);
  if (doomed.length === 0) return [];
  await tx.updateTable('ml_predictions').set({ ml_model_id: null }).where('ml_model_id', 'in', doomed).execute();
  await tx.deleteFrom('ml_performance_metrics').where('ml_model_id', 'in', doomed).execute();
  await tx.deleteFrom('ml_models').where('id', 'in', doomed).execute();
  return doomed;
}
