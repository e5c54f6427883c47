import { sql, type Kysely } from 'kysely';

/**
 * Data lifecycle and query performance.
 *
 * - audit_log is append-only: a row trigger (cloned onto every partition) refuses UPDATE and
 *   DELETE, a statement trigger refuses TRUNCATE. Only whole partitions leave, through
 *   dg_drop_audit_partition (DETACH + DROP) once their archive was verified.
 *   dg_ensure_audit_partitions is redefined to switch the trigger off on the DEFAULT partition
 *   for the one statement that moves early rows into a new month (inside its transaction,
 *   under an ACCESS EXCLUSIVE lock, so no other session ever sees it off), and becomes
 *   SECURITY DEFINER so the api's scheduler can create partitions ahead.
 * - The lifecycle jobs of the api cross organizations and remove rows of tables other units
 *   own; each such step is one narrow SECURITY DEFINER function callable by dg_api only
 *   (grants in service-roles.ts), like the functions of 0006:
 *   dg_lifecycle_organizations, dg_purge_rolled_up_drift_events, dg_audit_partitions,
 *   dg_audit_partition_rows, dg_drop_audit_partition, dg_prune_ml_models.
 * - Indexes for the console's queries (services/api/src/analytics). Trigram indexes need
 *   pg_trgm; where it cannot be created (the embedded database) they are left out and
 *   searches still work, slower.
 */
const appendOnly = [
  `CREATE FUNCTION dg_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
  BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
      USING ERRCODE = 'insufficient_privilege',
        HINT = 'audit partitions leave only whole, after archiving (dg_drop_audit_partition)';
  END
  $fn$`,
  `CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION dg_audit_log_append_only()`,
  `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION dg_audit_log_append_only()`,
];

/** 0001's function, with the trigger switched off around the move and SECURITY DEFINER. */
const ensurePartitions = `
CREATE OR REPLACE FUNCTION dg_ensure_audit_partitions(months_ahead integer) RETURNS SETOF text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  first_month timestamp := date_trunc('month', now() AT TIME ZONE 'UTC');
  month_start timestamp;
  lower_bound timestamptz;
  upper_bound timestamptz;
  part text;
  grantee_name text;
BEGIN
  IF months_ahead < 0 OR months_ahead > 120 THEN
    RAISE EXCEPTION 'months_ahead must be in 0..120, got %', months_ahead;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('dg_ensure_audit_partitions'));
  FOR i IN 0..months_ahead LOOP
    month_start := first_month + make_interval(months => i);
    part := to_char(month_start, '"audit_log_y"YYYY"m"MM');
    CONTINUE WHEN to_regclass(quote_ident(part)) IS NOT NULL;
    lower_bound := month_start AT TIME ZONE 'UTC';
    upper_bound := (month_start + interval '1 month') AT TIME ZONE 'UTC';
    LOCK TABLE audit_log_default IN ACCESS EXCLUSIVE MODE;
    EXECUTE format('CREATE TABLE %I (LIKE audit_log INCLUDING DEFAULTS)', part);
    ALTER TABLE audit_log_default DISABLE TRIGGER audit_log_append_only;
    EXECUTE format(
      'WITH moved AS (DELETE FROM audit_log_default WHERE "timestamp" >= %L AND "timestamp" < %L RETURNING *) '
      'INSERT INTO %I SELECT * FROM moved', lower_bound, upper_bound, part);
    ALTER TABLE audit_log_default ENABLE TRIGGER audit_log_append_only;
    EXECUTE format('ALTER TABLE audit_log ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
      part, lower_bound, upper_bound);
    FOR grantee_name IN
      SELECT DISTINCT grantee FROM information_schema.role_table_grants
      WHERE table_schema = current_schema() AND table_name = part AND grantee <> current_user
    LOOP
      EXECUTE format('REVOKE ALL ON TABLE %I FROM %I', part, grantee_name);
    END LOOP;
    RETURN NEXT part;
  END LOOP;
END
$fn$`;

const lifecycleFunctions = [
  // The rollup and retention visit every organization; each is then worked in its own scope.
  `CREATE FUNCTION dg_lifecycle_organizations() RETURNS SETOF integer
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT id FROM organizations ORDER BY id $$`,
  // Removes up to max_rows resolved drifts (and the rows that depend on them) whose detection
  // and resolution both precede cutoff and whose days are rolled up for their environment.
  // Open drifts stay: they are live. SKIP LOCKED lets two runs share the work.
  `CREATE FUNCTION dg_purge_rolled_up_drift_events(cutoff timestamptz, max_rows integer) RETURNS integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  DECLARE
    ids integer[];
    removed integer;
  BEGIN
    IF cutoff > now() - interval '30 days' THEN
      RAISE EXCEPTION 'drift retention below 30 days refused (cutoff %)', cutoff;
    END IF;
    SELECT array_agg(id) INTO ids FROM (
      SELECT d.id FROM drift_events d
      WHERE d.resolved_at < cutoff AND d.detected_at < cutoff
        AND EXISTS (SELECT 1 FROM drift_metrics_daily m
          WHERE m.environment_id = d.environment_id AND m.date = (d.detected_at AT TIME ZONE 'UTC')::date)
        AND EXISTS (SELECT 1 FROM drift_metrics_daily m
          WHERE m.environment_id = d.environment_id AND m.date = (d.resolved_at AT TIME ZONE 'UTC')::date)
      ORDER BY d.resolved_at
      LIMIT max_rows
      FOR UPDATE OF d SKIP LOCKED) doomed;
    IF ids IS NULL THEN RETURN 0; END IF;
    DELETE FROM drift_changes WHERE drift_event_id = ANY (ids);
    DELETE FROM ml_predictions WHERE drift_event_id = ANY (ids);
    DELETE FROM drift_cause_analysis WHERE drift_event_id = ANY (ids);
    DELETE FROM recommendations WHERE drift_event_id = ANY (ids);
    DELETE FROM correlation_events WHERE drift_event_id = ANY (ids);
    DELETE FROM operational_context WHERE drift_event_id = ANY (ids);
    DELETE FROM notifications WHERE drift_event_id = ANY (ids);
    DELETE FROM drift_events WHERE id = ANY (ids);
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
  END
  $fn$`,
  // Monthly partitions of audit_log (not DEFAULT), with the month each holds.
  `CREATE FUNCTION dg_audit_partitions() RETURNS TABLE (name text, month date)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT c.relname::text, to_date(substring(c.relname from '^audit_log_y([0-9]{4}m[0-9]{2})$'), 'YYYY"m"MM')
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'audit_log'::regclass AND c.relname ~ '^audit_log_y[0-9]{4}m[0-9]{2}$'
      ORDER BY 2 $$`,
  // One page of a partition's rows in id order, as JSON, for the archive.
  `CREATE FUNCTION dg_audit_partition_rows(part text, after_id bigint, max_rows integer) RETURNS SETOF jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  BEGIN
    IF NOT EXISTS (SELECT 1 FROM dg_audit_partitions() p WHERE p.name = part) THEN
      RAISE EXCEPTION 'not an audit_log partition: %', part;
    END IF;
    RETURN QUERY EXECUTE format('SELECT to_jsonb(a) FROM %I a WHERE a.id > $1 ORDER BY a.id LIMIT $2', part)
      USING after_id, max_rows;
  END
  $fn$`,
  // Detaches and drops a partition at least a year past its month, only if it still holds
  // exactly the rows that were archived (rows cannot change: only new ones could arrive).
  `CREATE FUNCTION dg_drop_audit_partition(part text, archived_rows bigint) RETURNS void
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  DECLARE
    part_month date;
    present bigint;
  BEGIN
    SELECT p.month INTO part_month FROM dg_audit_partitions() p WHERE p.name = part;
    IF part_month IS NULL THEN RAISE EXCEPTION 'not an audit_log partition: %', part; END IF;
    IF part_month + interval '1 month' > now() - interval '1 year' THEN
      RAISE EXCEPTION 'audit partition % is not a year old', part;
    END IF;
    EXECUTE format('LOCK TABLE %I IN ACCESS EXCLUSIVE MODE', part);
    EXECUTE format('SELECT count(*) FROM %I', part) INTO present;
    IF present <> archived_rows THEN
      RAISE EXCEPTION 'audit partition % holds % rows, % archived', part, present, archived_rows;
    END IF;
    EXECUTE format('ALTER TABLE audit_log DETACH PARTITION %I', part);
    EXECUTE format('DROP TABLE %I', part);
  END
  $fn$`,
  // Keeps the newest keep versions of each model name (and the active one), as the analysis
  // registry does when it registers a version, under the registry's per-name lock.
  `CREATE FUNCTION dg_prune_ml_models(keep integer) RETURNS SETOF integer
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  DECLARE
    model_name text;
    doomed integer[];
  BEGIN
    IF keep < 1 THEN RAISE EXCEPTION 'keep must be at least 1'; END IF;
    FOR model_name IN SELECT DISTINCT name FROM ml_models ORDER BY 1 LOOP
      PERFORM pg_advisory_xact_lock(hashtext('ml_models:' || model_name));
      SELECT array_agg(id) INTO doomed FROM (
        SELECT id, is_active, row_number() OVER (ORDER BY id DESC) AS rank
        FROM ml_models WHERE name = model_name) v
      WHERE v.rank > keep AND v.is_active IS NOT TRUE;
      CONTINUE WHEN doomed IS NULL;
      UPDATE ml_predictions SET ml_model_id = NULL WHERE ml_model_id = ANY (doomed);
      DELETE FROM ml_performance_metrics WHERE ml_model_id = ANY (doomed);
      DELETE FROM ml_models WHERE id = ANY (doomed);
      RETURN QUERY SELECT unnest(doomed);
    END LOOP;
  END
  $fn$`,
];

/**
 * Row-level security of the tables hanging off drift_events, as a correlated EXISTS instead of
 * 0004's `drift_event_id IN (SELECT id FROM drift_events)`. Same rows visible; but a policy's
 * subquery is never pulled up into a join, so the IN form hashes every drift of the
 * organization for each statement (95 ms for 20,000 drifts, seconds at millions), while EXISTS
 * is a primary-key probe per row read (0.1 ms for a drift's changes).
 */
const existsPolicies: Record<string, { exists: string; was: string }> = Object.fromEntries(
  ['drift_changes', 'ml_predictions', 'drift_cause_analysis', 'recommendations', 'correlation_events', 'operational_context'].map(
    (t) => [
      t,
      {
        exists: `EXISTS (SELECT 1 FROM drift_events d WHERE d.id = ${t}.drift_event_id)`,
        was: 'drift_event_id IN (SELECT id FROM drift_events)',
      },
    ],
  ),
);
existsPolicies['notifications'] = {
  exists: `(drift_event_id IS NOT NULL OR channel_id IS NOT NULL)
    AND (drift_event_id IS NULL OR EXISTS (SELECT 1 FROM drift_events d WHERE d.id = notifications.drift_event_id))
    AND (channel_id IS NULL OR EXISTS (SELECT 1 FROM notification_channels c WHERE c.id = notifications.channel_id))`,
  was: `(drift_event_id IS NOT NULL OR channel_id IS NOT NULL)
    AND (drift_event_id IS NULL OR drift_event_id IN (SELECT id FROM drift_events))
    AND (channel_id IS NULL OR channel_id IN (SELECT id FROM notification_channels))`,
};
existsPolicies['notification_deliveries'] = {
  exists: 'EXISTS (SELECT 1 FROM notifications n WHERE n.id = notification_deliveries.notification_id)',
  was: 'notification_id IN (SELECT id FROM notifications)',
};
const alterPolicy = (table: string, predicate: string) =>
  `ALTER POLICY tenant_isolation ON ${table} USING (${predicate}) WITH CHECK (${predicate})`;

/**
 * Search of the drift list: ids of organization `org`'s drifts whose resource address or
 * physical id, or a changed property path or value, contains `pattern` (a LIKE pattern over
 * lower-cased text). SECURITY DEFINER because under row-level security a non-leakproof
 * operator such as LIKE may not run inside an index, so the trigram indexes would go unused;
 * it returns ids only, which the caller joins back to drift_events under its own policies, and
 * only in the scope of `org` itself (dg.org_id), so it cannot probe another tenant's values.
 * Callable by dg_api and dg_app.
 */
const searchFunction = `CREATE FUNCTION dg_search_drift_events(org integer, pattern text) RETURNS SETOF integer
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  -- Positional parameters, so the body can be EXPLAINed as it is (the query tests do). The
  -- matches are taken first, through the trigram indexes, then looked up by key and kept to
  -- the organization.
  SELECT d.id FROM drift_events d
  WHERE d.id = ANY (ARRAY(
      SELECT x.id FROM drift_events x
        WHERE lower(coalesce(x.metadata #>> '{resource,address}', '') || ' ' || coalesce(x.metadata #>> '{resource,physicalId}', '')) LIKE $2
      UNION
      SELECT c.drift_event_id FROM drift_changes c WHERE lower(c.property_path) LIKE $2
      UNION
      SELECT c.drift_event_id FROM drift_changes c
        WHERE lower(coalesce(c.declared_value::text, '') || ' ' || coalesce(c.actual_value::text, '')) LIKE $2))
    AND d.environment_id = ANY (ARRAY(SELECT e.id FROM environments e
      WHERE e.organization_id = $1 AND $1 = dg_current_org()))
$fn$`;

const functionNames = [
  'dg_lifecycle_organizations()',
  'dg_purge_rolled_up_drift_events(timestamptz, integer)',
  'dg_audit_partitions()',
  'dg_audit_partition_rows(text, bigint, integer)',
  'dg_drop_audit_partition(text, bigint)',
  'dg_prune_ml_models(integer)',
  'dg_search_drift_events(integer, text)',
  'dg_drift_events_matching(integer, integer[], text)',
];

/** Which of `ids` (drifts of organization `org`, in its scope) contain `pattern`: the search's first probe. */
const matchingFunction = `CREATE FUNCTION dg_drift_events_matching(org integer, ids integer[], pattern text) RETURNS SETOF integer
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  SELECT d.id FROM drift_events d
  WHERE d.id = ANY ($2)
    AND d.environment_id = ANY (ARRAY(SELECT e.id FROM environments e
      WHERE e.organization_id = $1 AND $1 = dg_current_org()))
    AND (lower(coalesce(d.metadata #>> '{resource,address}', '') || ' ' || coalesce(d.metadata #>> '{resource,physicalId}', '')) LIKE $3
      OR EXISTS (SELECT 1 FROM drift_changes c WHERE c.drift_event_id = d.id
        AND (lower(c.property_path) LIKE $3
          OR lower(coalesce(c.declared_value::text, '') || ' ' || coalesce(c.actual_value::text, '')) LIKE $3)))
$fn$`;

const searchGrant = `DO $do$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dg_app') THEN
      GRANT EXECUTE ON FUNCTION dg_search_drift_events(integer, text) TO dg_app;
      GRANT EXECUTE ON FUNCTION dg_drift_events_matching(integer, integer[], text) TO dg_app;
    END IF;
  END $do$`;

const grants = functionNames.flatMap((fn) => [
  `REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`,
  `DO $do$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dg_api') THEN
      GRANT EXECUTE ON FUNCTION ${fn} TO dg_api;
    END IF;
  END $do$`,
]);

/** B-tree indexes of the console's queries (dashboard, detail, list, rollup, retention). */
const indexes = [
  'CREATE INDEX idx_drift_events_open_severity ON drift_events(environment_id, severity_score) WHERE resolved_at IS NULL',
  'CREATE INDEX idx_drift_events_env_resolved ON drift_events(environment_id, resolved_at) WHERE resolved_at IS NOT NULL',
  'CREATE INDEX idx_drift_events_resolved ON drift_events(resolved_at) WHERE resolved_at IS NOT NULL',
  'CREATE INDEX idx_drift_events_time_id ON drift_events(detected_at DESC, id DESC)',
  'CREATE INDEX idx_drift_changes_security ON drift_changes(drift_event_id) WHERE is_security_critical',
  'CREATE INDEX idx_recommendations_drift_event ON recommendations(drift_event_id)',
  'CREATE INDEX idx_recommendations_created ON recommendations(created_at)',
  'CREATE INDEX idx_notifications_drift_event ON notifications(drift_event_id)',
  'CREATE INDEX idx_operational_context_drift_event ON operational_context(drift_event_id)',
  'CREATE INDEX idx_drift_cause_analysis_category ON drift_cause_analysis(cause_category, drift_event_id)',
];

const trigram = `DO $do$ BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
  EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm unavailable (%): search runs without trigram indexes', SQLERRM;
    RETURN;
  END;
  CREATE INDEX idx_drift_events_resource_trgm ON drift_events USING gin (
    (lower(coalesce(metadata #>> '{resource,address}', '') || ' ' || coalesce(metadata #>> '{resource,physicalId}', '')))
    gin_trgm_ops);
  CREATE INDEX idx_drift_changes_path_trgm ON drift_changes USING gin (lower(property_path) gin_trgm_ops);
  CREATE INDEX idx_drift_changes_values_trgm ON drift_changes USING gin (
    (lower(coalesce(declared_value::text, '') || ' ' || coalesce(actual_value::text, ''))) gin_trgm_ops);
END $do$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const policies = Object.entries(existsPolicies).map(([t, p]) => alterPolicy(t, p.exists));
  for (const s of [
    ...appendOnly,
    ensurePartitions,
    ...lifecycleFunctions,
    searchFunction,
    matchingFunction,
    ...grants,
    searchGrant,
    ...indexes,
    trigram,
    ...policies,
  ]) {
    await sql.raw(s).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of [
    'idx_drift_changes_values_trgm',
    'idx_drift_changes_path_trgm',
    'idx_drift_events_resource_trgm',
    ...indexes.map((s) => /CREATE INDEX (\w+)/.exec(s)?.[1] ?? ''),
  ]) {
    await sql`DROP INDEX IF EXISTS ${sql.id(name)}`.execute(db);
  }
  for (const [t, p] of Object.entries(existsPolicies)) await sql.raw(alterPolicy(t, p.was)).execute(db);
  for (const fn of functionNames) await sql.raw(`DROP FUNCTION ${fn}`).execute(db);
  await sql`DROP TRIGGER audit_log_no_truncate ON audit_log`.execute(db);
  await sql`DROP TRIGGER audit_log_append_only ON audit_log`.execute(db);
  await sql`DROP FUNCTION dg_audit_log_append_only()`.execute(db);
  // 0001's definition: no trigger to switch, invoker's rights.
  const original = ensurePartitions
    .replace(/\n\s*ALTER TABLE audit_log_default (DIS|EN)ABLE TRIGGER audit_log_append_only;/g, '')
    .replace(' SECURITY DEFINER SET search_path = public, pg_temp', '');
  await sql.raw(original).execute(db);
  await sql`ALTER FUNCTION dg_ensure_audit_partitions(integer) RESET search_path`.execute(db);
}
