import { sql, type Kysely } from 'kysely';

/**
 * `integrations`: the sources that sign their context deliveries instead of sending a token
 * (GitHub `X-Hub-Signature-256`, PagerDuty `X-PagerDuty-Signature`), one row per source and
 * environment, the shared secret stored encrypted (encryptSecret output, AAD bound to the row id).
 *
 * Row-level security like the other tenant tables (0004, and 0006 where service roles exist):
 * the policy applies to dg_app, and to dg_service when that role exists. A signed delivery names
 * its integration before its organization is known, so ingest reads the row through the
 * SECURITY DEFINER function dg_integration_by_id (one row, by its unguessable id).
 */
const up_ = [
  `CREATE TABLE integrations (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    environment_id INTEGER NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    source VARCHAR(30) NOT NULL CHECK (source IN ('github', 'pagerduty')),
    secret_encrypted BYTEA NOT NULL,
    key_id VARCHAR(64) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX integrations_environment_idx ON integrations (environment_id)`,
  `ALTER TABLE integrations ENABLE ROW LEVEL SECURITY`,
  `CREATE POLICY tenant_isolation ON integrations TO dg_app
    USING (organization_id = dg_current_org()) WITH CHECK (organization_id = dg_current_org())`,
  `DO $do$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dg_service') THEN
      ALTER POLICY tenant_isolation ON integrations TO dg_app, dg_service;
    END IF;
  END $do$`,
  `CREATE FUNCTION dg_integration_by_id(integration_id uuid)
    RETURNS TABLE (id uuid, organization_id integer, environment_id integer, source varchar, secret_encrypted bytea)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT i.id, i.organization_id, i.environment_id, i.source, i.secret_encrypted
      FROM integrations i JOIN organizations o ON o.id = i.organization_id
      WHERE i.id = integration_id AND o.is_active IS NOT FALSE $$`,
  `REVOKE ALL ON FUNCTION dg_integration_by_id(uuid) FROM PUBLIC`,
  `DO $do$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dg_ingest') THEN
      GRANT EXECUTE ON FUNCTION dg_integration_by_id(uuid) TO dg_ingest;
    END IF;
  END $do$`,
];

const down_ = ['DROP FUNCTION dg_integration_by_id(uuid)', 'DROP TABLE integrations'];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of up_) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const s of down_) await sql.raw(s).execute(db);
}
