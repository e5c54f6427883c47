import { sql, type Kysely } from 'kysely';

/**
 * One PostgreSQL role per service (dg_ingest, dg_analysis, dg_recommender, dg_notifier, dg_api),
 * all NOLOGIN members of dg_service. Their table privileges follow the ownership map and are
 * (re)applied after every migration run by applyServiceGrants (packages/db/src/service-roles.ts),
 * so tables and columns added later are covered too.
 *
 * Row-level security: the tenant_isolation policies of 0004 now apply to dg_service as well as
 * dg_app, so every service role sees only the organization in `dg.org_id`, and nothing without.
 *
 * What must cross organizations gets a SECURITY DEFINER function owned by the migrating role
 * (the tables' owner, which RLS does not restrict), each doing one narrow thing:
 * - dg_api_token_candidates / dg_touch_api_token: token verification, before the organization
 *   is known (lookup by the secret's hash; record last use);
 * - dg_claim_next_scan: the scan queue, whose next scan may belong to any organization;
 * - dg_scans_waiting: the backlog gauge (a count, no row);
 * - dg_repositories_due_for_sync: which repositories the sync scheduler visits, with their organization.
 * The messaging tables (outbox, processed_messages, dead_letters) hold no tenant rows and have no
 * policies; relays, janitors and dead-letter listings work on them through plain grants.
 *
 * Roles are cluster-wide: creation and membership are idempotent and tolerate a concurrent run
 * on another database. `down` keeps the roles for the same reason.
 */
const SERVICE_ROLES = ['dg_ingest', 'dg_analysis', 'dg_recommender', 'dg_notifier', 'dg_api'];

const TENANT_TABLES = [
  'organizations',
  'environments',
  'audit_log',
  'user_sessions',
  'notification_channels',
  'users',
  'api_tokens',
  'ignore_rules',
  'routing_rules',
  'scans',
  'context_signals',
  'iac_repositories',
  'drift_events',
  'drift_metrics_daily',
  'iac_resources',
  'drift_changes',
  'ml_predictions',
  'drift_cause_analysis',
  'recommendations',
  'correlation_events',
  'operational_context',
  'notifications',
  'notification_deliveries',
];

const createRole = (role: string) => `DO $do$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN
    CREATE ROLE ${role} NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $do$`;

// Direct membership (pg_auth_members): pg_has_role is true for superusers whatever the grants.
const grantMembership = (role: string, member: string) => `DO $do$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_auth_members m
      WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = '${role}')
        AND m.member = (SELECT oid FROM pg_roles WHERE rolname = ${member})) THEN
    EXECUTE format('GRANT %I TO %I', '${role}', ${member});
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $do$`;

const functions = [
  `CREATE FUNCTION dg_api_token_candidates(hash bytea)
    RETURNS TABLE (id integer, organization_id integer, environment_id integer, role varchar, token_hash bytea,
      token_prefix varchar, expires_at timestamptz, revoked_at timestamptz, last_used_at timestamptz, organization_active boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT t.id, t.organization_id, t.environment_id, t.role, t.token_hash, t.token_prefix, t.expires_at,
      t.revoked_at, t.last_used_at, o.is_active
      FROM api_tokens t JOIN organizations o ON o.id = t.organization_id WHERE t.token_hash = hash $$`,
  // Conditional, so concurrent requests with one token write at most once per interval.
  `CREATE FUNCTION dg_touch_api_token(token_id integer, interval_seconds double precision)
    RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ UPDATE api_tokens SET last_used_at = now() WHERE id = token_id
      AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => interval_seconds)) $$`,
  // Scans of one environment run one at a time, in submission order (see claimNextScan).
  `CREATE FUNCTION dg_claim_next_scan(instance_id text, lease_seconds double precision)
    RETURNS TABLE (id uuid, organization_id integer, environment_id integer, format varchar, is_full boolean,
      scanner varchar, payload bytea, attempts integer, error jsonb)
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ UPDATE scans SET status = 'processing', started_at = coalesce(started_at, now()), attempts = attempts + 1,
      claimed_until = now() + make_interval(secs => lease_seconds), claimed_by = instance_id
    WHERE scans.id = (
      SELECT s.id FROM scans s
      WHERE (s.status = 'accepted' OR (s.status = 'processing' AND s.claimed_until < now()))
        AND NOT EXISTS (
          SELECT 1 FROM scans o
          WHERE o.environment_id = s.environment_id AND o.id <> s.id
            AND ((o.status = 'processing' AND o.claimed_until >= now())
              OR (o.status IN ('accepted', 'processing') AND (o.submitted_at, o.id) < (s.submitted_at, s.id))))
      ORDER BY s.submitted_at
      FOR UPDATE SKIP LOCKED
      LIMIT 1)
    RETURNING scans.id, scans.organization_id, scans.environment_id, scans.format, scans.is_full, scans.scanner,
      scans.payload, scans.attempts, scans.error $$`,
  `CREATE FUNCTION dg_scans_waiting() RETURNS integer
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT count(*)::integer FROM scans WHERE status IN ('accepted', 'processing') $$`,
  `CREATE FUNCTION dg_repositories_due_for_sync(stale_after_seconds double precision, max_rows integer)
    RETURNS TABLE (id integer, organization_id integer)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT r.id, e.organization_id FROM iac_repositories r JOIN environments e ON e.id = r.environment_id
      WHERE r.repository_url IS NOT NULL AND r.tool IN ('kubernetes', 'cloudformation')
        AND (r.last_sync_at IS NULL OR r.last_sync_at < now() - make_interval(secs => stale_after_seconds))
      ORDER BY coalesce(r.last_sync_at, 'epoch'::timestamptz), r.id
      LIMIT max_rows $$`,
];

const functionNames = [
  'dg_api_token_candidates(bytea)',
  'dg_touch_api_token(integer, double precision)',
  'dg_claim_next_scan(text, double precision)',
  'dg_scans_waiting()',
  'dg_repositories_due_for_sync(double precision, integer)',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(createRole('dg_service')).execute(db);
  for (const role of SERVICE_ROLES) {
    await sql.raw(createRole(role)).execute(db);
    await sql.raw(grantMembership('dg_service', `'${role}'`)).execute(db);
    // The migrating login may act as each service (SET ROLE), e.g. to run them all under one login.
    await sql.raw(grantMembership(role, 'current_user')).execute(db);
  }
  for (const table of TENANT_TABLES) {
    await sql`ALTER POLICY tenant_isolation ON ${sql.table(table)} TO dg_app, dg_service`.execute(db);
  }
  for (const statement of functions) await sql.raw(statement).execute(db);
  for (const fn of functionNames) await sql.raw(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const fn of functionNames) await sql.raw(`DROP FUNCTION ${fn}`).execute(db);
  for (const table of TENANT_TABLES) {
    await sql`ALTER POLICY tenant_isolation ON ${sql.table(table)} TO dg_app`.execute(db);
  }
  for (const role of SERVICE_ROLES) await sql.raw(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`).execute(db);
}
