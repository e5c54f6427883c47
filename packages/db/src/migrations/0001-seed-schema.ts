import { sql, type Kysely } from 'kysely';

/**
 * The seed data model (shared/seed/000_7fe2acd851587e61.txt), table by table and index by index.
 * The DDL is the seed's own text (its comments dropped); the only changes are listed in
 * ../../DEVIATIONS.md and marked `DEVIATION` below. One statement per query so the same file
 * runs on PGlite.
 */
const tables = [
  `CREATE TABLE organizations (
    id SERIAL PRIMARY KEY,
    name VARCHAR(255) NOT NULL UNIQUE,
    slug VARCHAR(100) NOT NULL UNIQUE,
    description TEXT,
    contact_email VARCHAR(320),
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    is_active BOOLEAN DEFAULT TRUE
  )`,
  `CREATE TABLE environments (
    id SERIAL PRIMARY KEY,
    organization_id INTEGER REFERENCES organizations(id),
    name VARCHAR(255) NOT NULL,
    slug VARCHAR(100) NOT NULL,
    cloud_provider VARCHAR(20) NOT NULL CHECK (cloud_provider IN ('aws', 'gcp', 'azure')),
    region VARCHAR(50),
    account_id VARCHAR(50),
    tags JSONB DEFAULT '{}',
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    is_active BOOLEAN DEFAULT TRUE,
    UNIQUE(organization_id, slug)
  )`,
  `CREATE TABLE iac_repositories (
    id SERIAL PRIMARY KEY,
    environment_id INTEGER REFERENCES environments(id),
    name VARCHAR(255) NOT NULL,
    repository_url VARCHAR(500),
    branch VARCHAR(100) DEFAULT 'main',
    tool VARCHAR(20) NOT NULL CHECK (tool IN ('terraform', 'cloudformation', 'kubernetes')),
    last_sync_at TIMESTAMP WITH TIME ZONE,
    credentials_encrypted BYTEA,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    UNIQUE(environment_id, repository_url, branch)
  )`,
  `CREATE TABLE iac_resources (
    id SERIAL PRIMARY KEY,
    iac_repository_id INTEGER REFERENCES iac_repositories(id),
    resource_type VARCHAR(100) NOT NULL,
    resource_id VARCHAR(255) NOT NULL,
    declared_state JSONB NOT NULL,
    last_sync_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    UNIQUE(iac_repository_id, resource_id)
  )`,
  `CREATE TABLE drift_events (
    id SERIAL PRIMARY KEY,
    environment_id INTEGER REFERENCES environments(id),
    iac_resource_id INTEGER REFERENCES iac_resources(id),
    drift_type VARCHAR(50) NOT NULL CHECK (drift_type IN ('modified', 'deleted', 'added', 'moved')),
    actual_state JSONB,
    declared_state JSONB,
    detected_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    resolved_at TIMESTAMP WITH TIME ZONE,
    resolution_type VARCHAR(20) CHECK (resolution_type IN ('auto_revert', 'codify_iac', 'accepted', 'escalated')),
    severity_score DECIMAL(3,2) CHECK (severity_score >= 0 AND severity_score <= 1),
    confidence_score DECIMAL(3,2) CHECK (confidence_score >= 0 AND confidence_score <= 1),
    risk_assessment JSONB DEFAULT '{}',
    tags JSONB DEFAULT '{}',
    metadata JSONB DEFAULT '{}'
  )`,
  `CREATE TABLE drift_changes (
    id SERIAL PRIMARY KEY,
    drift_event_id INTEGER REFERENCES drift_events(id),
    property_path VARCHAR(500) NOT NULL,
    declared_value JSONB,
    actual_value JSONB,
    change_type VARCHAR(20) NOT NULL CHECK (change_type IN ('modified', 'added', 'removed')),
    is_security_critical BOOLEAN DEFAULT FALSE,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP
  )`,
  // DEVIATION: the seed has `name ... UNIQUE`; a registry keeps several versions of one name.
  `CREATE TABLE ml_models (
    id SERIAL PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    version VARCHAR(50) NOT NULL,
    model_type VARCHAR(50) NOT NULL CHECK (model_type IN ('classification', 'regression', 'clustering')),
    framework VARCHAR(50) NOT NULL,
    artifact_path VARCHAR(500),
    features JSONB NOT NULL,
    target_classes JSONB,
    metrics JSONB DEFAULT '{}',
    trained_at TIMESTAMP WITH TIME ZONE NOT NULL,
    deployed_at TIMESTAMP WITH TIME ZONE,
    is_active BOOLEAN DEFAULT FALSE,
    metadata JSONB DEFAULT '{}',
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    UNIQUE(name, version)
  )`,
  `CREATE TABLE ml_predictions (
    id SERIAL PRIMARY KEY,
    drift_event_id INTEGER REFERENCES drift_events(id),
    ml_model_id INTEGER REFERENCES ml_models(id),
    prediction_result JSONB NOT NULL,
    prediction_metadata JSONB DEFAULT '{}',
    predicted_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP
  )`,
  // DEVIATION: UNIQUE(drift_event_id) enforces the one-to-one relationship the seed declares.
  `CREATE TABLE drift_cause_analysis (
    id SERIAL PRIMARY KEY,
    drift_event_id INTEGER REFERENCES drift_events(id) UNIQUE,
    cause_category VARCHAR(50) NOT NULL CHECK (
      cause_category IN (
        'emergency_fix', 'manual_troubleshooting', 'security_response',
        'configuration_error', 'automated_response', 'unknown'
      )
    ),
    confidence_score DECIMAL(3,2) NOT NULL CHECK (confidence_score >= 0 AND confidence_score <= 1),
    contributing_factors JSONB DEFAULT '[]',
    temporal_context JSONB DEFAULT '{}',
    user_attribution JSONB DEFAULT '{}',
    analyzed_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP
  )`,
  `CREATE TABLE recommendations (
    id SERIAL PRIMARY KEY,
    drift_event_id INTEGER REFERENCES drift_events(id),
    recommendation_type VARCHAR(30) NOT NULL CHECK (
      recommendation_type IN (
        'auto_revert', 'codify_iac', 'escalate_review', 'accept_exception', 'manual_review'
      )
    ),
    priority VARCHAR(10) NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    confidence_score DECIMAL(3,2) NOT NULL,
    rationale TEXT NOT NULL,
    implementation_steps JSONB DEFAULT '[]',
    risk_assessment JSONB DEFAULT '{}',
    estimated_effort VARCHAR(20) CHECK (estimated_effort IN ('minutes', 'hours', 'days')),
    recommended_by VARCHAR(50) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    expires_at TIMESTAMP WITH TIME ZONE,
    implemented_at TIMESTAMP WITH TIME ZONE,
    implementation_result JSONB
  )`,
  `CREATE TABLE correlation_events (
    id SERIAL PRIMARY KEY,
    drift_event_id INTEGER REFERENCES drift_events(id),
    correlation_type VARCHAR(50) NOT NULL,
    external_id VARCHAR(255) NOT NULL,
    external_system VARCHAR(50) NOT NULL,
    event_data JSONB NOT NULL,
    correlation_score DECIMAL(3,2),
    temporal_offset INTERVAL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP
  )`,
  `CREATE TABLE operational_context (
    id SERIAL PRIMARY KEY,
    drift_event_id INTEGER REFERENCES drift_events(id),
    context_type VARCHAR(30) NOT NULL CHECK (
      context_type IN ('incident', 'deployment', 'maintenance', 'security_event')
    ),
    context_data JSONB NOT NULL,
    incident_impact VARCHAR(10) CHECK (incident_impact IN ('low', 'medium', 'high')),
    time_window INTERVAL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP
  )`,
  // DEVIATION: a partitioned table's primary key must include the partition key, so the key is
  // (id, timestamp) and timestamp is NOT NULL.
  `CREATE TABLE audit_log (
    id BIGSERIAL,
    timestamp TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    user_id INTEGER,
    action VARCHAR(100) NOT NULL,
    resource_type VARCHAR(50) NOT NULL,
    resource_id INTEGER NOT NULL,
    old_values JSONB,
    new_values JSONB,
    ip_address INET,
    user_agent TEXT,
    session_id VARCHAR(255),
    organization_id INTEGER REFERENCES organizations(id),
    success BOOLEAN DEFAULT TRUE,
    error_message TEXT,
    PRIMARY KEY (id, timestamp)
  ) PARTITION BY RANGE (timestamp)`,
  `CREATE TABLE user_sessions (
    id VARCHAR(255) PRIMARY KEY,
    user_id INTEGER NOT NULL,
    organization_id INTEGER REFERENCES organizations(id),
    ip_address INET NOT NULL,
    user_agent TEXT,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    last_activity TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    is_active BOOLEAN DEFAULT TRUE
  )`,
  `CREATE TABLE notification_channels (
    id SERIAL PRIMARY KEY,
    organization_id INTEGER REFERENCES organizations(id),
    name VARCHAR(255) NOT NULL,
    channel_type VARCHAR(30) NOT NULL CHECK (
      channel_type IN ('email', 'slack', 'webhook', 'pagerduty')
    ),
    configuration JSONB NOT NULL,
    is_active BOOLEAN DEFAULT TRUE,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP
  )`,
  `CREATE TABLE notifications (
    id SERIAL PRIMARY KEY,
    drift_event_id INTEGER REFERENCES drift_events(id),
    channel_id INTEGER REFERENCES notification_channels(id),
    notification_type VARCHAR(30) NOT NULL,
    subject VARCHAR(500),
    message TEXT,
    priority VARCHAR(10) CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    sent_at TIMESTAMP WITH TIME ZONE,
    delivered_at TIMESTAMP WITH TIME ZONE,
    read_at TIMESTAMP WITH TIME ZONE,
    metadata JSONB DEFAULT '{}'
  )`,
  `CREATE TABLE drift_metrics_daily (
    id SERIAL PRIMARY KEY,
    environment_id INTEGER REFERENCES environments(id),
    date DATE NOT NULL,
    total_drifts INTEGER DEFAULT 0,
    resolved_drifts INTEGER DEFAULT 0,
    avg_resolution_time INTERVAL,
    top_cause_categories JSONB DEFAULT '{}',
    severity_distribution JSONB DEFAULT '{}',
    recommendation_adoption_rate DECIMAL(5,4),
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP,
    UNIQUE(environment_id, date)
  )`,
  `CREATE TABLE ml_performance_metrics (
    id SERIAL PRIMARY KEY,
    ml_model_id INTEGER REFERENCES ml_models(id),
    evaluation_date DATE NOT NULL,
    training_data_size INTEGER,
    accuracy DECIMAL(5,4),
    precision_macro DECIMAL(5,4),
    recall_macro DECIMAL(5,4),
    f1_score_macro DECIMAL(5,4),
    confusion_matrix JSONB,
    feature_importance JSONB,
    cross_validation_scores JSONB,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP
  )`,
];

/** "Indexes for Performance" of the seed, verbatim. */
const indexes = [
  'CREATE INDEX idx_drift_events_environment_time ON drift_events(environment_id, detected_at DESC)',
  'CREATE INDEX idx_drift_events_unresolved ON drift_events(environment_id, resolved_at) WHERE resolved_at IS NULL',
  'CREATE INDEX idx_ml_predictions_drift_event ON ml_predictions(drift_event_id)',
  'CREATE INDEX idx_audit_log_org_time ON audit_log(organization_id, timestamp DESC)',
  'CREATE INDEX idx_correlation_events_drift_temporal ON correlation_events(drift_event_id, temporal_offset)',
];

/**
 * Monthly audit partitions (UTC months, named audit_log_yYYYYmMM) for this month and
 * `months_ahead` more. Rows that already landed in the DEFAULT partition for a new month are
 * moved into it before it is attached. Idempotent; concurrent callers serialize on a lock.
 * Partitions are reachable only through audit_log: privileges granted to them by default ACLs
 * are revoked, so row-level security on audit_log cannot be bypassed.
 */
const ensurePartitionsFunction = `
CREATE FUNCTION dg_ensure_audit_partitions(months_ahead integer) RETURNS SETOF text
LANGUAGE plpgsql AS $fn$
DECLARE
  first_month timestamp := date_trunc('month', now() AT TIME ZONE 'UTC');
  month_start timestamp;
  lower_bound timestamptz;
  upper_bound timestamptz;
  part text;
  grantee_name text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('dg_ensure_audit_partitions'));
  FOR i IN 0..months_ahead LOOP
    month_start := first_month + make_interval(months => i);
    part := to_char(month_start, '"audit_log_y"YYYY"m"MM');
    CONTINUE WHEN to_regclass(quote_ident(part)) IS NOT NULL;
    lower_bound := month_start AT TIME ZONE 'UTC';
    upper_bound := (month_start + interval '1 month') AT TIME ZONE 'UTC';
    LOCK TABLE audit_log_default IN ACCESS EXCLUSIVE MODE;
    EXECUTE format('CREATE TABLE %I (LIKE audit_log INCLUDING DEFAULTS)', part);
    EXECUTE format(
      'WITH moved AS (DELETE FROM audit_log_default WHERE "timestamp" >= %L AND "timestamp" < %L RETURNING *) '
      'INSERT INTO %I SELECT * FROM moved', lower_bound, upper_bound, part);
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

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of [...tables, ...indexes]) await sql.raw(statement).execute(db);
  await sql`CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT`.execute(db);
  await sql.raw(ensurePartitionsFunction).execute(db);
  await sql`SELECT dg_ensure_audit_partitions(3)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION dg_ensure_audit_partitions(integer)`.execute(db);
  const dropOrder = [
    'ml_performance_metrics',
    'drift_metrics_daily',
    'notifications',
    'notification_channels',
    'user_sessions',
    'audit_log',
    'operational_context',
    'correlation_events',
    'recommendations',
    'drift_cause_analysis',
    'ml_predictions',
    'ml_models',
    'drift_changes',
    'drift_events',
    'iac_resources',
    'iac_repositories',
    'environments',
    'organizations',
  ];
  for (const table of dropOrder) await sql`DROP TABLE ${sql.table(table)}`.execute(db);
}
