import type { Database, JsonValue } from '@driftguard/db';
import { sql, type Kysely, type Transaction } from 'kysely';

/** Reads and writes of the control plane over api-owned tables, and its read-only lookups of drift. */

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export async function listEnvironmentRows(db: Kysely<Database>, orgId: number) {
  return db.selectFrom('environments').selectAll().where('organization_id', '=', orgId).orderBy('slug').execute();
}

export async function environmentRow(db: Kysely<Database>, orgId: number, id: number) {
  return db.selectFrom('environments').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function lockEnvironment(tx: Transaction<Database>, orgId: number, id: number) {
  return tx
    .selectFrom('environments')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateEnvironmentRow(
  tx: Transaction<Database>,
  id: number,
  set: { name?: string; region?: string | null; account_id?: string | null; tags?: JsonValue; is_active?: boolean },
) {
  const { tags, ...rest } = set;
  return tx
    .updateTable('environments')
    .set({ ...rest, ...(tags === undefined ? {} : { tags: JSON.stringify(tags) }), updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The ids of the organization's environments named by slug; unknown slugs are left out. */
export async function environmentIdsBySlug(db: Kysely<Database>, orgId: number, slugs: readonly string[]) {
  if (slugs.length === 0) return [];
  const rows = await db
    .selectFrom('environments')
    .select(['id', 'slug'])
    .where('organization_id', '=', orgId)
    .where('slug', 'in', [...slugs])
    .execute();
  return rows;
}

export async function listRepositoryRows(db: Kysely<Database>, orgId: number) {
  return db
    .selectFrom('iac_repositories as r')
    .innerJoin('environments as e', 'e.id', 'r.environment_id')
    .select(['r.id', 'e.id as environment_id', 'r.name', 'r.tool', 'r.repository_url', 'r.branch', 'r.last_sync_at'])
    .select(sql<boolean>`r.credentials_encrypted IS NOT NULL`.as('has_credentials'))
    .where('e.organization_id', '=', orgId)
    .orderBy('r.id')
    .execute();
}

export async function repositoryOf(db: Kysely<Database>, orgId: number, id: number) {
  return db
    .selectFrom('iac_repositories as r')
    .innerJoin('environments as e', 'e.id', 'r.environment_id')
    .select(['r.id', 'e.id as environment_id', 'r.name', 'r.repository_url'])
    .where('e.organization_id', '=', orgId)
    .where('r.id', '=', id)
    .executeTakeFirst();
}

export async function listIgnoreRuleRows(db: Kysely<Database>, orgId: number) {
  return db.selectFrom('ignore_rules').selectAll().where('organization_id', '=', orgId).orderBy('id').execute();
}

export async function insertIgnoreRule(
  tx: Transaction<Database>,
  row: {
    organization_id: number;
    environment_id: number | null;
    resource_type: string | null;
    address_pattern: string | null;
    property_path: string | null;
    syntax: 'driftignore' | 'json_pointer';
    reason: string;
    created_by: number | null;
    expires_at: Date | null;
  },
) {
  return tx.insertInto('ignore_rules').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function deactivateIgnoreRule(tx: Transaction<Database>, orgId: number, id: number) {
  const before = await tx
    .selectFrom('ignore_rules')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!before) return undefined;
  const after = await tx
    .updateTable('ignore_rules')
    .set({ is_active: false })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { before, after };
}

/** The drift's environment and state, when it is the organization's. */
export async function driftOf(db: Kysely<Database>, orgId: number, driftId: number) {
  return db
    .selectFrom('drift_events as d')
    .innerJoin('environments as e', 'e.id', 'd.environment_id')
    .select(['d.id', 'e.id as environment_id', 'd.resolved_at', 'd.resolution_type'])
    .where('e.organization_id', '=', orgId)
    .where('d.id', '=', driftId)
    .executeTakeFirst();
}

export async function recommendationOf(db: Kysely<Database>, orgId: number, id: number) {
  return db
    .selectFrom('recommendations as r')
    .innerJoin('drift_events as d', 'd.id', 'r.drift_event_id')
    .innerJoin('environments as e', 'e.id', 'd.environment_id')
    .select(['r.id', 'd.id as drift_event_id', 'e.id as environment_id'])
    .where('e.organization_id', '=', orgId)
    .where('r.id', '=', id)
    .executeTakeFirst();
}

export async function notificationOf(db: Kysely<Database>, orgId: number, id: number) {
  return db
    .selectFrom('notifications as n')
    .innerJoin('drift_events as d', 'd.id', 'n.drift_event_id')
    .innerJoin('environments as e', 'e.id', 'd.environment_id')
    .select(['n.id', 'd.id as drift_event_id', 'e.id as environment_id'])
    .where('e.organization_id', '=', orgId)
    .where('n.id', '=', id)
    .executeTakeFirst();
}

/** The audit rows about one drift (its own and those of its recommendations and notifications), oldest first. */
export async function driftAuditTimeline(db: Kysely<Database>, orgId: number, driftId: number) {
  const rows = await sql<{
    created_at: Date;
    action: string;
    user_id: number | null;
    session_id: string | null;
    success: boolean | null;
    new_values: unknown;
  }>`
    SELECT a.timestamp AS created_at, a.action, a.user_id, a.session_id, a.success, a.new_values FROM audit_log a
    WHERE a.organization_id = ${orgId} AND (
      (a.resource_type = 'drift_event' AND a.resource_id = ${driftId})
      OR (a.resource_type = 'recommendation' AND a.resource_id IN (SELECT id FROM recommendations WHERE drift_event_id = ${driftId}))
      OR (a.resource_type = 'notification' AND a.resource_id IN (SELECT id FROM notifications WHERE drift_event_id = ${driftId})))
    ORDER BY a.timestamp, a.id LIMIT 500`.execute(db);
  return rows.rows.map((r) => ({
    at: iso(r.created_at) ?? '',
    action: r.action,
    actor: r.user_id !== null ? `user:${r.user_id}` : r.session_id,
    success: r.success !== false,
    newValues: r.new_values,
  }));
}

/**
 * Per environment and day: IaC coverage (share of drifting resources that are declared, i.e.
 * not `added`) from drift_events, and MTTR from the daily rollup.
 */
export async function coverageTrend(
  db: Kysely<Database>,
  orgId: number,
  from: string,
  to: string,
  envIds: readonly number[] | null,
) {
  const envFilter = envIds === null ? sql`` : sql`AND e.id = ANY (${[...envIds]}::int[])`;
  const r = await sql<{
    id: number;
    slug: string;
    days: { date: string; coverage: number | null; mttrSeconds: number | null }[] | null;
  }>`
    SELECT e.id, e.slug,
      (SELECT json_agg(json_build_object('date', to_char(g.day, 'YYYY-MM-DD'), 'coverage', c.coverage, 'mttrSeconds', m.mttr) ORDER BY g.day)
        FROM generate_series(${from}::date, ${to}::date, interval '1 day') AS g(day)
        LEFT JOIN LATERAL (
          SELECT round(count(*) FILTER (WHERE d.drift_type <> 'added')::numeric / nullif(count(*), 0), 4)::float8 AS coverage
          FROM drift_events d WHERE d.environment_id = e.id
            AND d.detected_at >= g.day AND d.detected_at < g.day + interval '1 day') c ON true
        LEFT JOIN LATERAL (
          SELECT round(extract(epoch FROM x.avg_resolution_time))::float8 AS mttr
          FROM drift_metrics_daily x WHERE x.environment_id = e.id AND x.date = g.day::date LIMIT 1) m ON true
      ) AS days
    FROM environments e WHERE e.organization_id = ${orgId} ${envFilter} ORDER BY e.slug`.execute(db);
  return r.rows.map((x) => ({ environmentId: x.id, environment: x.slug, days: x.days ?? [] }));
}

/** Every model version with its evaluations (models are global, not tenant data). */
export async function modelPerformance(db: Kysely<Database>) {
  const models = await db
    .selectFrom('ml_models')
    .select(['id', 'name', 'version', 'model_type', 'is_active'])
    .orderBy('trained_at')
    .execute();
  const metrics = await db
    .selectFrom('ml_performance_metrics')
    .select(['ml_model_id', 'evaluation_date', 'accuracy', 'precision_macro', 'recall_macro'])
    .orderBy('evaluation_date')
    .execute();
  return models.map((m) => ({
    modelId: m.id,
    name: m.name,
    version: m.version,
    modelType: m.model_type,
    isActive: m.is_active === true,
    metrics: metrics
      .filter((x) => x.ml_model_id === m.id)
      .flatMap((x) =>
        (
          [
            ['accuracy', x.accuracy],
            ['precision_macro', x.precision_macro],
            ['recall_macro', x.recall_macro],
          ] as const
        )
          .filter(([, v]) => v !== null)
          .map(([name, v]) => ({ name, value: Number(v), evaluatedAt: iso(x.evaluation_date) ?? '' })),
      ),
  }));
}

export async function organizationRow(db: Kysely<Database>, orgId: number) {
  return db.selectFrom('organizations').select(['id', 'slug', 'name']).where('id', '=', orgId).executeTakeFirstOrThrow();
}

export async function listIntegrationRows(db: Kysely<Database>, orgId: number) {
  return db
    .selectFrom('integrations')
    .select(['id', 'environment_id', 'source', 'key_id', 'created_at'])
    .where('organization_id', '=', orgId)
    .orderBy('created_at')
    .execute();
}

export async function environmentSlugOf(db: Kysely<Database>, orgId: number, id: number) {
  const row = await db
    .selectFrom('environments')
    .select('slug')
    .where('organization_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.slug;
}

/** Delivery attempts of a drift's notifications, oldest first. */
export async function driftDeliveries(db: Kysely<Database>, orgId: number, driftId: number) {
  const rows = await db
    .selectFrom('notification_deliveries as x')
    .innerJoin('notifications as n', 'n.id', 'x.notification_id')
    .innerJoin('drift_events as d', 'd.id', 'n.drift_event_id')
    .innerJoin('environments as e', 'e.id', 'd.environment_id')
    .select(['x.notification_id', 'x.attempt', 'x.status', 'x.response_code', 'x.error', 'x.attempted_at', 'x.latency_ms'])
    .where('e.organization_id', '=', orgId)
    .where('d.id', '=', driftId)
    .orderBy('x.attempted_at')
    .orderBy('x.id')
    .limit(500)
    .execute();
  return rows.map((r) => ({
    notificationId: r.notification_id,
    attempt: r.attempt,
    status: r.status,
    responseCode: r.response_code,
    error: r.error,
    attemptedAt: iso(r.attempted_at) ?? '',
    latencyMs: r.latency_ms,
  }));
}

export async function lockOrganization(tx: Transaction<Database>, orgId: number) {
  return tx
    .selectFrom('organizations')
    .select(['id', 'slug', 'name'])
    .where('id', '=', orgId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export async function renameOrganization(tx: Transaction<Database>, orgId: number, name: string) {
  return tx
    .updateTable('organizations')
    .set({ name, updated_at: new Date() })
    .where('id', '=', orgId)
    .returning(['id', 'slug', 'name'])
    .executeTakeFirstOrThrow();
}

/** The organization's silences (the notifier's table, read-only here), newest first. */
export async function listSilenceRows(db: Kysely<Database>, orgId: number) {
  return db
    .selectFrom('silences')
    .selectAll()
    .where('organization_id', '=', orgId)
    .orderBy('starts_at', 'desc')
    .orderBy('id', 'desc')
    .limit(500)
    .execute();
}

/** The organization's maintenance windows and quiet hours (the notifier's table, read-only here). */
export async function listMaintenanceWindowRows(db: Kysely<Database>, orgId: number) {
  return db.selectFrom('maintenance_windows').selectAll().where('organization_id', '=', orgId).orderBy('id').execute();
}

export async function deactivateRoutingRule(tx: Transaction<Database>, orgId: number, id: number) {
  const before = await tx
    .selectFrom('routing_rules')
    .select(['id', 'name', 'is_active'])
    .where('organization_id', '=', orgId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!before) return undefined;
  await tx.updateTable('routing_rules').set({ is_active: false }).where('id', '=', id).execute();
  return before;
}
