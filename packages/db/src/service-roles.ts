import { sql, type Kysely } from 'kysely';
import { COLUMN_OWNERS, TABLE_OWNERS, type ServiceName } from './ownership.js';
import type { Database, TableName } from './schema/index.js';

/** The PostgreSQL role each service acts as (created by migration 0006, granted by applyServiceGrants). */
export const SERVICE_ROLES = {
  ingest: 'dg_ingest',
  analysis: 'dg_analysis',
  recommender: 'dg_recommender',
  notifier: 'dg_notifier',
  api: 'dg_api',
} as const satisfies Record<ServiceName, string>;

/** Tables holding credentials or identities: only the api reads them (tokens are verified through dg_api_token_candidates). */
const PRIVATE_TO_API: readonly TableName[] = ['users', 'user_sessions', 'api_tokens'];
/** Besides the api, only the notifier reads delivery channels (their keys). */
const CHANNEL_READERS: readonly ServiceName[] = ['notifier', 'api'];

/** What every role may do on the messaging tables of @driftguard/bus and the shared audit log. */
const SHARED_GRANTS: Record<string, string[]> = {
  // Any service's relay publishes and prunes the outbox; rows carry no tenant data of their own.
  outbox: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  // UPDATE only for the janitor's `FOR UPDATE SKIP LOCKED` batches.
  processed_messages: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  // Replaying marks the row; listing is the operator's view.
  dead_letters: ['SELECT', 'INSERT', 'UPDATE'],
  // Append-only: writeAudit reads back only the new row's id.
  audit_log: ['INSERT', 'SELECT (id)'],
};

/** Security-definer functions of migration 0006: the narrow cross-tenant paths, and who may call them. */
const FUNCTION_CALLERS: Record<string, readonly ServiceName[]> = {
  'dg_api_token_candidates(bytea)': ['ingest', 'analysis', 'recommender', 'notifier', 'api'],
  'dg_touch_api_token(integer, double precision)': ['ingest', 'analysis', 'recommender', 'notifier', 'api'],
  'dg_claim_next_scan(text, double precision)': ['ingest'],
  'dg_scans_waiting()': ['ingest'],
  'dg_repositories_due_for_sync(double precision, integer)': ['ingest'],
  // A signed context delivery names its integration before its organization is known.
  'dg_integration_by_id(uuid)': ['ingest'],
  // Signing in and resolving a console session cookie (migration 0014).
  'dg_login_candidates(text)': ['api'],
  'dg_oidc_candidates(text, text, text)': ['api'],
  'dg_session_by_id(text)': ['api'],
  'dg_touch_user_session(text, double precision)': ['api'],
  // The delivery loop learns which organizations have due notifications, then works inside each.
  'dg_notifier_due_organizations()': ['notifier'],
  // The expiry sweep learns which organizations have open recommendations past expiry (migration 0022).
  'dg_recommender_expiring_organizations()': ['recommender'],
  // Data lifecycle jobs of the api (migration 0015).
  'dg_ensure_audit_partitions(integer)': ['api'],
  'dg_lifecycle_organizations()': ['api'],
  'dg_purge_rolled_up_drift_events(timestamp with time zone, integer)': ['api'],
  'dg_audit_partitions()': ['api'],
  'dg_audit_partition_rows(text, bigint, integer)': ['api'],
  'dg_drop_audit_partition(text, bigint)': ['api'],
  'dg_prune_ml_models(integer)': ['api'],
  'dg_search_drift_events(integer, text)': ['api'],
  'dg_drift_events_matching(integer, integer[], text)': ['api'],
  // A drift's signals named after its resource, through the match-key index (migration 0026).
  'dg_context_signals_matching(integer, integer, timestamp with time zone, timestamp with time zone, text[], text[])': [
    'analysis',
  ],
};

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The grants of one table for one service, as statements for the plpgsql block below. */
function tableGrants(service: ServiceName, table: TableName): string[] {
  const role = SERVICE_ROLES[service];
  const owner: ServiceName | 'shared' = TABLE_OWNERS[table];
  const delegated: Readonly<Record<string, ServiceName | 'shared' | undefined>> = COLUMN_OWNERS[table] ?? {};
  const out: string[] = [];
  const grant = (privileges: string) => out.push(`EXECUTE ${quote(`GRANT ${privileges} ON TABLE ${table} TO ${role}`)};`);
  if (owner === 'shared') {
    for (const p of SHARED_GRANTS[table] ?? []) grant(p);
    return out;
  }
  const readable =
    service === 'api' ||
    (!PRIVATE_TO_API.includes(table) && (table !== 'notification_channels' || CHANNEL_READERS.includes(service)));
  if (owner === service) {
    grant('SELECT, INSERT, DELETE');
    // UPDATE of every column but those another unit owns, read from the catalog so columns
    // added by later migrations are granted at the next run.
    const foreign = Object.entries(delegated)
      .filter(([, o]) => o !== service && o !== 'shared')
      .map(([c]) => c);
    out.push(`SELECT string_agg(quote_ident(column_name), ', ') INTO cols FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ${quote(table)} AND NOT column_name = ANY (ARRAY[${foreign.map(quote).join(', ') || "''"}]);`);
    out.push(`EXECUTE format('GRANT UPDATE (%s) ON TABLE ${table} TO ${role}', cols);`);
    return out;
  }
  if (readable) grant('SELECT');
  const mine = Object.entries(delegated)
    .filter(([, o]) => o === service)
    .map(([c]) => c);
  if (mine.length > 0) grant(`UPDATE (${mine.join(', ')})`);
  return out;
}

/**
 * One plpgsql block that (re)applies every service role's privileges from the ownership map:
 * revokes what the roles hold, then grants what TABLE_OWNERS / COLUMN_OWNERS give them, so a
 * change of the map or a new table or column takes effect at the next `dg migrate`. Runs in one
 * statement, hence one transaction: no moment without grants.
 */
export function serviceGrantsSql(): string {
  const roles = Object.values(SERVICE_ROLES);
  const body: string[] = [];
  for (const role of roles) {
    body.push(`EXECUTE 'REVOKE ALL ON ALL TABLES IN SCHEMA ' || quote_ident(current_schema()) || ' FROM ${role}';`);
    body.push(`EXECUTE 'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ' || quote_ident(current_schema()) || ' TO ${role}';`);
  }
  for (const table of Object.keys(TABLE_OWNERS) as TableName[]) {
    const statements = (Object.keys(SERVICE_ROLES) as ServiceName[]).flatMap((service) => tableGrants(service, table));
    body.push(`IF to_regclass(${quote(table)}) IS NOT NULL THEN\n${statements.join('\n')}\nEND IF;`);
  }
  // The query side of the api reads every table, including ones the map does not list yet.
  body.push(`EXECUTE 'GRANT SELECT ON ALL TABLES IN SCHEMA ' || quote_ident(current_schema()) || ' TO dg_api';`);
  for (const [fn, callers] of Object.entries(FUNCTION_CALLERS)) {
    body.push(`IF to_regprocedure(${quote(fn)}) IS NOT NULL THEN`);
    body.push(`EXECUTE ${quote(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`)};`);
    for (const service of callers) body.push(`EXECUTE ${quote(`GRANT EXECUTE ON FUNCTION ${fn} TO ${SERVICE_ROLES[service]}`)};`);
    body.push('END IF;');
  }
  return `DO $grants$ DECLARE cols text; BEGIN\n${body.join('\n')}\nEND $grants$`;
}

/** Applies {@link serviceGrantsSql} (after migrations; the roles must exist: migration 0006). */
export async function applyServiceGrants(db: Kysely<Database>): Promise<void> {
  await sql.raw(serviceGrantsSql()).execute(db);
}
