import { sql, type Kysely } from 'kysely';

/**
 * What the product needs beyond the seed: people and credentials, rules, scans, context signals,
 * delivery attempts, and the drift lifecycle columns the ingest keeps. Seed columns are never
 * changed here, only added to. Children of an organization or environment go with it
 * (ON DELETE CASCADE); the seed's own foreign keys keep the seed's NO ACTION.
 */
const statements = [
  `CREATE TABLE users (
    id SERIAL PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email VARCHAR(320) NOT NULL CHECK (email = lower(email)),
    display_name VARCHAR(255),
    role VARCHAR(20) NOT NULL DEFAULT 'viewer' CHECK (role IN ('admin', 'engineer', 'viewer')),
    password_hash TEXT,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (organization_id, email)
  )`,
  // user_sessions.user_id is NOT NULL in the seed but had no table to point to until now.
  `ALTER TABLE user_sessions ADD CONSTRAINT user_sessions_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE`,
  'CREATE INDEX idx_user_sessions_user ON user_sessions(user_id)',
  `CREATE TABLE api_tokens (
    id SERIAL PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    environment_id INTEGER REFERENCES environments(id) ON DELETE CASCADE,
    name VARCHAR(255) NOT NULL,
    token_prefix VARCHAR(16) NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    role VARCHAR(20) NOT NULL CHECK (role IN ('admin', 'engineer', 'viewer', 'scanner')),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    expires_at TIMESTAMP WITH TIME ZONE,
    last_used_at TIMESTAMP WITH TIME ZONE,
    revoked_at TIMESTAMP WITH TIME ZONE
  )`,
  'CREATE INDEX idx_api_tokens_org ON api_tokens(organization_id)',
  `CREATE TABLE ignore_rules (
    id SERIAL PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    environment_id INTEGER REFERENCES environments(id) ON DELETE CASCADE,
    resource_type VARCHAR(100),
    address_pattern VARCHAR(500),
    property_path VARCHAR(500),
    syntax VARCHAR(20) NOT NULL DEFAULT 'json_pointer' CHECK (syntax IN ('driftignore', 'json_pointer')),
    reason TEXT,
    suppressed_count BIGINT NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    expires_at TIMESTAMP WITH TIME ZONE,
    is_active BOOLEAN NOT NULL DEFAULT TRUE
  )`,
  'CREATE INDEX idx_ignore_rules_scope ON ignore_rules(organization_id, environment_id) WHERE is_active',
  `CREATE TABLE routing_rules (
    id SERIAL PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    environment_id INTEGER REFERENCES environments(id) ON DELETE CASCADE,
    name VARCHAR(255) NOT NULL,
    min_priority VARCHAR(10) NOT NULL DEFAULT 'low' CHECK (min_priority IN ('low', 'medium', 'high', 'critical')),
    match JSONB NOT NULL DEFAULT '{}',
    channel_id INTEGER NOT NULL REFERENCES notification_channels(id) ON DELETE CASCADE,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
  )`,
  'CREATE INDEX idx_routing_rules_scope ON routing_rules(organization_id, environment_id) WHERE is_active',
  'CREATE INDEX idx_routing_rules_channel ON routing_rules(channel_id)',
  `CREATE TABLE scans (
    id UUID PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    environment_id INTEGER NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    format VARCHAR(30) NOT NULL,
    is_full BOOLEAN NOT NULL DEFAULT FALSE,
    scanner VARCHAR(255),
    source VARCHAR(10) NOT NULL CHECK (source IN ('http', 'nats', 'cli')),
    status VARCHAR(20) NOT NULL DEFAULT 'accepted'
      CHECK (status IN ('accepted', 'processing', 'completed', 'rejected', 'failed')),
    payload BYTEA NOT NULL,
    payload_sha256 BYTEA NOT NULL,
    resources_seen INTEGER NOT NULL DEFAULT 0,
    drifts_opened INTEGER NOT NULL DEFAULT 0,
    drifts_updated INTEGER NOT NULL DEFAULT 0,
    drifts_resolved INTEGER NOT NULL DEFAULT 0,
    rejected_items JSONB NOT NULL DEFAULT '[]',
    coverage JSONB,
    error JSONB,
    attempts INTEGER NOT NULL DEFAULT 0,
    submitted_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    started_at TIMESTAMP WITH TIME ZONE,
    completed_at TIMESTAMP WITH TIME ZONE
  )`,
  `CREATE INDEX idx_scans_pending ON scans(status, submitted_at)
    WHERE status IN ('accepted', 'processing')`,
  'CREATE INDEX idx_scans_environment_time ON scans(environment_id, submitted_at DESC)',
  `CREATE TABLE context_signals (
    id BIGSERIAL PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    environment_id INTEGER REFERENCES environments(id) ON DELETE CASCADE,
    context_type VARCHAR(30) NOT NULL,
    external_system VARCHAR(50) NOT NULL,
    external_id VARCHAR(255) NOT NULL,
    occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
    resource_refs JSONB NOT NULL DEFAULT '[]',
    actor VARCHAR(255),
    data JSONB NOT NULL,
    received_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    UNIQUE (organization_id, external_system, external_id, context_type)
  )`,
  'CREATE INDEX idx_context_signals_env_time ON context_signals(environment_id, occurred_at)',
  'CREATE INDEX idx_context_signals_org_time ON context_signals(organization_id, occurred_at)',
  `CREATE TABLE notification_deliveries (
    id BIGSERIAL PRIMARY KEY,
    notification_id INTEGER NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'pending'
      CHECK (status IN ('pending', 'sent', 'failed', 'retrying')),
    response_code INTEGER,
    error TEXT,
    attempted_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    next_attempt_at TIMESTAMP WITH TIME ZONE,
    UNIQUE (notification_id, attempt)
  )`,
  `CREATE INDEX idx_notification_deliveries_due ON notification_deliveries(next_attempt_at)
    WHERE status = 'retrying'`,
  `ALTER TABLE drift_events
    ADD COLUMN fingerprint VARCHAR(64),
    ADD COLUMN last_seen_at TIMESTAMP WITH TIME ZONE,
    ADD COLUMN seen_count INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN scan_id UUID REFERENCES scans(id) ON DELETE SET NULL`,
  // At most one open drift per fingerprint in an environment: a repeat sighting updates it.
  `CREATE UNIQUE INDEX uq_drift_events_open_fingerprint ON drift_events(environment_id, fingerprint)
    WHERE resolved_at IS NULL`,
  `ALTER TABLE drift_changes
    ADD COLUMN is_sensitive BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN value_hash VARCHAR(64),
    ADD COLUMN security_rule_ids JSONB NOT NULL DEFAULT '[]'`,
  'CREATE INDEX idx_drift_changes_drift_event ON drift_changes(drift_event_id)',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const reverse = [
    'DROP INDEX idx_drift_changes_drift_event',
    'ALTER TABLE drift_changes DROP COLUMN is_sensitive, DROP COLUMN value_hash, DROP COLUMN security_rule_ids',
    'DROP INDEX uq_drift_events_open_fingerprint',
    `ALTER TABLE drift_events DROP COLUMN fingerprint, DROP COLUMN last_seen_at,
      DROP COLUMN seen_count, DROP COLUMN scan_id`,
    'DROP TABLE notification_deliveries',
    'DROP TABLE context_signals',
    'DROP TABLE scans',
    'DROP TABLE routing_rules',
    'DROP TABLE ignore_rules',
    'DROP TABLE api_tokens',
    'DROP INDEX idx_user_sessions_user',
    'ALTER TABLE user_sessions DROP CONSTRAINT user_sessions_user_id_fkey',
    'DROP TABLE users',
  ];
  for (const statement of reverse) await sql.raw(statement).execute(db);
}
