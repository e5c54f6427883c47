import { sql, type Kysely } from 'kysely';

/**
 * The text of the files that declare a repository's resources, kept by ingest's git sync so a
 * recommendation can show its change as a unified diff of the real file.
 *
 * `iac_source_files`: one row per declaring file of a synced repository (path relative to the
 * repository root), the commit it was read at, its text with secrets masked as declared values
 * are (`content` is NULL for a file over the size bound: its location is still known) and
 * `declares`, the resource ids (Kubernetes, CloudFormation) or module-qualified Terraform
 * addresses without instance keys (`module.net.aws_subnet.private`) it declares. Owned by ingest,
 * read by the recommender; row-level security through its repository, like iac_resources.
 *
 * `dg_repositories_due_for_sync` now also lists terraform repositories with a URL: their sync
 * reads the `.tf` files only (their declared state still comes from state uploads).
 *
 * Recommendation expiry: an open recommendation past its `expires_at` becomes `expired`. The
 * recommender's sweep learns which organizations have some from
 * `dg_recommender_expiring_organizations` (SECURITY DEFINER, callable by dg_recommender) and
 * expires them inside each organization's scope; a partial index keeps the search to open rows.
 */
const sourceFiles = [
  `CREATE TABLE iac_source_files (
    id SERIAL PRIMARY KEY,
    iac_repository_id INTEGER NOT NULL REFERENCES iac_repositories(id) ON DELETE CASCADE,
    path VARCHAR(1000) NOT NULL,
    commit_sha VARCHAR(64) NOT NULL,
    content TEXT,
    content_bytes INTEGER NOT NULL CHECK (content_bytes >= 0),
    content_sha256 VARCHAR(64) NOT NULL,
    declares TEXT[] NOT NULL DEFAULT '{}',
    synced_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    UNIQUE (iac_repository_id, path)
  )`,
  `CREATE INDEX iac_source_files_declares ON iac_source_files USING gin (declares)`,
  `ALTER TABLE iac_source_files ENABLE ROW LEVEL SECURITY`,
  `CREATE POLICY tenant_isolation ON iac_source_files TO dg_app
    USING (iac_repository_id IN (SELECT id FROM iac_repositories))
    WITH CHECK (iac_repository_id IN (SELECT id FROM iac_repositories))`,
  `DO $do$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dg_service') THEN
      ALTER POLICY tenant_isolation ON iac_source_files TO dg_app, dg_service;
    END IF;
  END $do$`,
  `CREATE OR REPLACE FUNCTION dg_repositories_due_for_sync(stale_after_seconds double precision, max_rows integer)
    RETURNS TABLE (id integer, organization_id integer)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT r.id, e.organization_id FROM iac_repositories r JOIN environments e ON e.id = r.environment_id
      WHERE r.repository_url IS NOT NULL AND r.tool IN ('kubernetes', 'cloudformation', 'terraform')
        AND (r.last_sync_at IS NULL OR r.last_sync_at < now() - make_interval(secs => stale_after_seconds))
      ORDER BY coalesce(r.last_sync_at, 'epoch'::timestamptz), r.id
      LIMIT max_rows $$`,
];

const expiry = [
  `CREATE INDEX recommendations_open_expiry ON recommendations (expires_at) WHERE status = 'open'`,
  `CREATE FUNCTION dg_recommender_expiring_organizations()
    RETURNS TABLE (organization_id integer)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT DISTINCT e.organization_id FROM recommendations r
        JOIN drift_events d ON d.id = r.drift_event_id JOIN environments e ON e.id = d.environment_id
      WHERE r.status = 'open' AND r.expires_at <= now() $$`,
  `REVOKE ALL ON FUNCTION dg_recommender_expiring_organizations() FROM PUBLIC`,
  `DO $do$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dg_recommender') THEN
      GRANT EXECUTE ON FUNCTION dg_recommender_expiring_organizations() TO dg_recommender;
    END IF;
  END $do$`,
];
const up_ = [...sourceFiles, ...expiry];

const down_ = [
  'DROP FUNCTION dg_recommender_expiring_organizations()',
  'DROP INDEX recommendations_open_expiry',
  `CREATE OR REPLACE FUNCTION dg_repositories_due_for_sync(stale_after_seconds double precision, max_rows integer)
    RETURNS TABLE (id integer, organization_id integer)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT r.id, e.organization_id FROM iac_repositories r JOIN environments e ON e.id = r.environment_id
      WHERE r.repository_url IS NOT NULL AND r.tool IN ('kubernetes', 'cloudformation')
        AND (r.last_sync_at IS NULL OR r.last_sync_at < now() - make_interval(secs => stale_after_seconds))
      ORDER BY coalesce(r.last_sync_at, 'epoch'::timestamptz), r.id
      LIMIT max_rows $$`,
  'DROP TABLE iac_source_files',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of up_) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const s of down_) await sql.raw(s).execute(db);
}
