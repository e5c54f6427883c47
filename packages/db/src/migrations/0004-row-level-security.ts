import { sql, type Kysely } from 'kysely';

/**
 * Row-level security as the second line of tenant isolation. Policies apply only to the
 * NOLOGIN role `dg_app`; the owning role (the services' login) is not subject to them unless a
 * transaction does `SET LOCAL ROLE dg_app` with `dg.org_id` set (see withOrgScope). Without
 * `dg.org_id`, dg_app sees no tenant rows at all.
 *
 * A later migration that creates a tenant table enables row-level security on it and adds a
 * `tenant_isolation` policy the same way; dg_app's grants on new tables come from the default
 * privileges set below.
 */
const orgOf = 'dg_current_org()';
const inEnvironments = `environment_id IN (SELECT id FROM environments)`;
const inDriftEvents = `drift_event_id IN (SELECT id FROM drift_events)`;

/** Visibility of each tenant table for dg_app. Subqueries are themselves filtered by RLS. */
const policies: Record<string, string> = {
  organizations: `id = ${orgOf}`,
  environments: `organization_id = ${orgOf}`,
  audit_log: `organization_id = ${orgOf}`,
  user_sessions: `organization_id = ${orgOf}`,
  notification_channels: `organization_id = ${orgOf}`,
  users: `organization_id = ${orgOf}`,
  api_tokens: `organization_id = ${orgOf}`,
  ignore_rules: `organization_id = ${orgOf}`,
  routing_rules: `organization_id = ${orgOf}`,
  scans: `organization_id = ${orgOf}`,
  context_signals: `organization_id = ${orgOf}`,
  iac_repositories: inEnvironments,
  drift_events: inEnvironments,
  drift_metrics_daily: inEnvironments,
  iac_resources: 'iac_repository_id IN (SELECT id FROM iac_repositories)',
  drift_changes: inDriftEvents,
  ml_predictions: inDriftEvents,
  drift_cause_analysis: inDriftEvents,
  recommendations: inDriftEvents,
  correlation_events: inDriftEvents,
  operational_context: inDriftEvents,
  notifications: `(drift_event_id IS NOT NULL OR channel_id IS NOT NULL)
    AND (drift_event_id IS NULL OR ${inDriftEvents})
    AND (channel_id IS NULL OR channel_id IN (SELECT id FROM notification_channels))`,
  notification_deliveries: 'notification_id IN (SELECT id FROM notifications)',
};

const createRole = `DO $do$ BEGIN
  CREATE ROLE dg_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $do$`;

// Lets a non-superuser owner SET ROLE dg_app; superusers are members of every role already.
const joinRole = `DO $do$ BEGIN
  IF NOT pg_has_role(current_user, 'dg_app', 'MEMBER') THEN
    EXECUTE format('GRANT dg_app TO %I', current_user);
  END IF;
END $do$`;

// Grants on every ordinary and partitioned table but partitions (reachable only via parents).
const grantExisting = `DO $do$ DECLARE t text; BEGIN
  FOR t IN SELECT c.relname FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
      AND NOT c.relispartition AND c.relname NOT LIKE 'kysely\\_%'
  LOOP
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE %I TO dg_app', t);
  END LOOP;
END $do$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(createRole).execute(db);
  await sql.raw(joinRole).execute(db);
  await sql`CREATE FUNCTION dg_current_org() RETURNS integer LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('dg.org_id', true), '')::integer $$`.execute(db);
  await sql.raw(grantExisting).execute(db);
  await sql`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO dg_app`.execute(db);
  await sql`ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO dg_app`.execute(db);
  await sql`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO dg_app`.execute(db);
  for (const [table, predicate] of Object.entries(policies)) {
    await sql`ALTER TABLE ${sql.table(table)} ENABLE ROW LEVEL SECURITY`.execute(db);
    await sql`CREATE POLICY tenant_isolation ON ${sql.table(table)} TO dg_app
      USING (${sql.raw(predicate)}) WITH CHECK (${sql.raw(predicate)})`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of Object.keys(policies)) {
    await sql`DROP POLICY tenant_isolation ON ${sql.table(table)}`.execute(db);
    await sql`ALTER TABLE ${sql.table(table)} DISABLE ROW LEVEL SECURITY`.execute(db);
  }
  await sql`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM dg_app`.execute(db);
  await sql`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM dg_app`.execute(db);
  await sql`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM dg_app`.execute(db);
  await sql`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM dg_app`.execute(db);
  await sql`DROP FUNCTION dg_current_org()`.execute(db);
  // The role is cluster-wide and may serve other databases, so it stays.
}
