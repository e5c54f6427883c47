import { sql, type Kysely } from 'kysely';

/**
 * Recommendation lifecycle and recommendation policies.
 *
 * `recommendations` gains what its lifecycle needs: a `status` (open until superseded by a
 * newer analysis of the same drift, expired by the drift's resolution, or decided: accepted,
 * rejected, implemented), the analysis version it was made from, the recommendation that
 * replaced it, the policy that decided it (source, version, rule), and who decided when and why.
 * A partial unique index keeps one open recommendation per drift; another keeps one
 * recommendation per (drift, analysis version), so a re-delivered analysis adds nothing.
 *
 * `recommendation_policies`: an organization's (environment_id NULL) or an environment's
 * override of the default policy, one row per version (the highest is active). Owned by the
 * api, read by the recommender; row-level security like every tenant table.
 */
const up_ = [
  `ALTER TABLE recommendations
    ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'open'
      CHECK (status IN ('open', 'superseded', 'expired', 'accepted', 'rejected', 'implemented')),
    ADD COLUMN analysis_version INTEGER NOT NULL DEFAULT 1 CHECK (analysis_version > 0),
    ADD COLUMN superseded_by INTEGER REFERENCES recommendations(id),
    ADD COLUMN policy_source VARCHAR(20) CHECK (policy_source IN ('default', 'organization', 'environment')),
    ADD COLUMN policy_version INTEGER,
    ADD COLUMN policy_rule VARCHAR(100),
    ADD COLUMN status_changed_at TIMESTAMP WITH TIME ZONE,
    ADD COLUMN decided_by VARCHAR(255),
    ADD COLUMN decided_at TIMESTAMP WITH TIME ZONE,
    ADD COLUMN decision_reason TEXT`,
  `CREATE UNIQUE INDEX recommendations_one_open_per_drift ON recommendations (drift_event_id) WHERE status = 'open'`,
  `CREATE UNIQUE INDEX recommendations_drift_analysis_version ON recommendations (drift_event_id, analysis_version)`,
  `CREATE INDEX recommendations_decided_at_idx ON recommendations (decided_at) WHERE decided_at IS NOT NULL`,
  `CREATE TABLE recommendation_policies (
    id SERIAL PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    environment_id INTEGER REFERENCES environments(id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version > 0),
    document JSONB NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    created_by VARCHAR(255)
  )`,
  // One version number per scope; NULLS NOT DISTINCT would need PostgreSQL 15, so two indexes.
  `CREATE UNIQUE INDEX recommendation_policies_org_version ON recommendation_policies (organization_id, version)
    WHERE environment_id IS NULL`,
  `CREATE UNIQUE INDEX recommendation_policies_env_version ON recommendation_policies (organization_id, environment_id, version)
    WHERE environment_id IS NOT NULL`,
  `ALTER TABLE recommendation_policies ENABLE ROW LEVEL SECURITY`,
  `CREATE POLICY tenant_isolation ON recommendation_policies TO dg_app
    USING (organization_id = dg_current_org()) WITH CHECK (organization_id = dg_current_org())`,
  `DO $do$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dg_service') THEN
      ALTER POLICY tenant_isolation ON recommendation_policies TO dg_app, dg_service;
    END IF;
  END $do$`,
];

const down_ = [
  'DROP TABLE recommendation_policies',
  'DROP INDEX recommendations_decided_at_idx',
  'DROP INDEX recommendations_drift_analysis_version',
  'DROP INDEX recommendations_one_open_per_drift',
  `ALTER TABLE recommendations
    DROP COLUMN decision_reason, DROP COLUMN decided_at, DROP COLUMN decided_by, DROP COLUMN status_changed_at,
    DROP COLUMN policy_rule, DROP COLUMN policy_version, DROP COLUMN policy_source, DROP COLUMN superseded_by,
    DROP COLUMN analysis_version, DROP COLUMN status`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of up_) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const s of down_) await sql.raw(s).execute(db);
}
