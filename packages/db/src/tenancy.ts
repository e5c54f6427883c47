import {
  sql,
  type DeleteQueryBuilder,
  type DeleteResult,
  type Expression,
  type Kysely,
  type SelectQueryBuilder,
  type SqlBool,
  type Transaction,
  type UpdateQueryBuilder,
  type UpdateResult,
} from 'kysely';
import type { Database, TableName } from './schema/index.js';
import { runAsOrg } from './tenant-context.js';

/**
 * How each tenant table reaches its organization. The same paths back the row-level-security
 * policies of migration 0004. ml_* and the messaging tables are not tenant data.
 */
const TENANT_PATHS = {
  organizations: 'self',
  environments: 'org',
  audit_log: 'org',
  user_sessions: 'org',
  notification_channels: 'org',
  users: 'org',
  api_tokens: 'org',
  ignore_rules: 'org',
  ignore_rule_scan_counts: 'org',
  routing_rules: 'org',
  scans: 'org',
  context_signals: 'org',
  integrations: 'org',
  notification_groups: 'org',
  notification_group_items: 'org',
  notification_resolved_drifts: 'org',
  silences: 'org',
  maintenance_windows: 'org',
  channel_health: 'org',
  iac_repositories: 'environment',
  drift_events: 'environment',
  drift_metrics_daily: 'environment',
  iac_resources: 'repository',
  iac_source_files: 'repository',
  drift_changes: 'drift',
  ml_predictions: 'drift',
  drift_cause_analysis: 'drift',
  recommendations: 'drift',
  correlation_events: 'drift',
  operational_context: 'drift',
  notifications: 'notification',
  notification_deliveries: 'delivery',
} as const satisfies Partial<Record<TableName, string>>;

/** A table whose rows belong to one organization. */
export type TenantTable = keyof typeof TENANT_PATHS;

/** Query helpers that confine every statement to one organization (the API's first line). */
export interface OrgScope {
  readonly orgId: number;
  /** `table`'s rows of this organization, as a where-condition (joins through parents). */
  filter(table: TenantTable): Expression<SqlBool>;
  selectFrom<T extends TenantTable>(table: T): SelectQueryBuilder<Database, T, object>;
  updateTable<T extends TenantTable>(table: T): UpdateQueryBuilder<Database, T, T, UpdateResult>;
  deleteFrom<T extends TenantTable>(table: T): DeleteQueryBuilder<Database, T, DeleteResult>;
}

/** Scopes queries on `db` (or a transaction) to organization `orgId`. */
export function forOrg(db: Kysely<Database>, orgId: number): OrgScope {
  const environments = sql`(SELECT id FROM environments WHERE organization_id = ${orgId})`;
  const repositories = sql`(SELECT id FROM iac_repositories WHERE environment_id IN ${environments})`;
  const driftEvents = sql`(SELECT id FROM drift_events WHERE environment_id IN ${environments})`;
  const channels = sql`(SELECT id FROM notification_channels WHERE organization_id = ${orgId})`;
  // A notification belongs to the organization of its drift and of its channel (at least one).
  const ownNotification = (driftEvent: Expression<unknown>, channel: Expression<unknown>) => sql<SqlBool>`(
    (${driftEvent} IS NOT NULL OR ${channel} IS NOT NULL)
    AND (${driftEvent} IS NULL OR ${driftEvent} IN ${driftEvents})
    AND (${channel} IS NULL OR ${channel} IN ${channels}))`;
  const notifications = sql`(SELECT id FROM notifications WHERE ${ownNotification(sql.ref('drift_event_id'), sql.ref('channel_id'))})`;
  const filter = (table: TenantTable): Expression<SqlBool> => {
    const col = (name: string) => sql.ref(`${table}.${name}`);
    const path = TENANT_PATHS[table];
    switch (path) {
      case 'self':
        return sql<SqlBool>`${col('id')} = ${orgId}`;
      case 'org':
        return sql<SqlBool>`${col('organization_id')} = ${orgId}`;
      case 'environment':
        return sql<SqlBool>`${col('environment_id')} IN ${environments}`;
      case 'repository':
        return sql<SqlBool>`${col('iac_repository_id')} IN ${repositories}`;
      case 'drift':
        return sql<SqlBool>`${col('drift_event_id')} IN ${driftEvents}`;
      case 'notification':
        return ownNotification(col('drift_event_id'), col('channel_id'));
      case 'delivery':
        return sql<SqlBool>`${col('notification_id')} IN ${notifications}`;
      default: {
        const unreachable: never = path;
        throw new Error(`no tenant path ${String(unreachable)}`);
      }
    }
  };
  // Kysely cannot resolve its builders' types for a generic table name, so each query is built
  // and checked over the union of tenant tables; the overload gives callers their table's type.
  function selectFrom<T extends TenantTable>(table: T): SelectQueryBuilder<Database, T, object>;
  function selectFrom(table: TenantTable): SelectQueryBuilder<Database, TenantTable, object> {
    return db.selectFrom(table).where(filter(table));
  }
  function updateTable<T extends TenantTable>(table: T): UpdateQueryBuilder<Database, T, T, UpdateResult>;
  function updateTable(table: TenantTable): UpdateQueryBuilder<Database, TenantTable, TenantTable, UpdateResult> {
    return db.updateTable(table).where(filter(table));
  }
  function deleteFrom<T extends TenantTable>(table: T): DeleteQueryBuilder<Database, T, DeleteResult>;
  function deleteFrom(table: TenantTable): DeleteQueryBuilder<Database, TenantTable, DeleteResult> {
    return db.deleteFrom(table).where(filter(table));
  }
  return { orgId, filter, selectFrom, updateTable, deleteFrom };
}

/** The NOLOGIN role row-level-security policies apply to (migration 0004). */
export const TENANT_ROLE = 'dg_app';

/**
 * Runs `fn` in a transaction with `dg.org_id` = `orgId`, so row-level security hides every other
 * organization's rows (the second line behind forOrg), and inside a {@link runAsOrg} scope, so a
 * tenant-scoped pool's other connections act for the same organization. A service role (member
 * of dg_service) keeps its own grants; any other session (a superuser, the tables' owner, the
 * embedded database) also switches to role dg_app, to which the policies apply. Both settings
 * are transaction-local and end with it.
 */
export async function withOrgScope<T>(
  db: Kysely<Database>,
  orgId: number,
  fn: (tx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  if (!Number.isSafeInteger(orgId) || orgId <= 0) throw new RangeError(`invalid organization id ${orgId}`);
  return runAsOrg(orgId, () =>
    db.transaction().execute(async (tx) => {
      await sql`SELECT set_config('dg.org_id', ${String(orgId)}, true),
        CASE WHEN EXISTS (SELECT 1 FROM pg_auth_members m
            JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
            WHERE g.rolname = 'dg_service' AND u.rolname = current_user)
          THEN NULL ELSE set_config('role', ${TENANT_ROLE}, true) END`.execute(tx);
      return fn(tx);
    }),
  );
}
