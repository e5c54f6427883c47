import { sql, type Kysely } from 'kysely';

/**
 * What the notifier needs to group, silence and deliver notifications exactly once.
 *
 * - `notification_groups` / `notification_group_items`: drifts gathered per group key (an
 *   environment, optionally one scan or resource type) as Alertmanager groups alerts: the group is
 *   flushed at `flush_at` (group_wait after its first drift, at once for a critical one), again
 *   after group_interval when it changed, and at `repeat_at` while something is still open. Each
 *   item keeps the alert text of its drift, so no flush reads another unit's tables.
 * - `notification_resolved_drifts`: resolutions seen, so a late recommendation of a resolved drift
 *   does not alert.
 * - `notifications` gains its delivery state: one row per (group flush, channel), unique on
 *   (channel_id, dedupe_key), claimed under a lease (`claimed_by`, `claimed_until`) before the
 *   provider is called, with the `idempotency_key` every attempt of the row reuses.
 * - `notification_deliveries` gains each attempt's latency.
 * - `silences` (Alertmanager-style matchers) and `maintenance_windows` (recurring weekdays and
 *   time ranges in an IANA time zone: maintenance windows and quiet hours) suppress non-critical
 *   notifications; `channel_health` paces each channel and records long failures.
 * - `routing_rules` gains its order and `continue`; `notification_channels.is_default` marks the
 *   channels that receive what no rule routes.
 *
 * Tenant tables get the row-level-security policy of 0004/0010. The delivery loop must find due
 * work of every organization: `dg_notifier_due_organizations` (SECURITY DEFINER, callable by
 * dg_notifier) names the organizations that have some, and the work itself is then done inside
 * each organization's scope.
 */
const tenantTables = [
  'notification_groups',
  'notification_group_items',
  'notification_resolved_drifts',
  'silences',
  'maintenance_windows',
  'channel_health',
];

const up_ = [
  `CREATE TABLE notification_groups (
    id SERIAL PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    environment_id INTEGER NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    group_key VARCHAR(255) NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    environment JSONB NOT NULL,
    flush_at TIMESTAMP WITH TIME ZONE,
    repeat_at TIMESTAMP WITH TIME ZONE,
    last_flushed_at TIMESTAMP WITH TIME ZONE,
    version INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    resolved_at TIMESTAMP WITH TIME ZONE
  )`,
  // One open group per key: drifts arriving while it is open join it.
  `CREATE UNIQUE INDEX notification_groups_open_key ON notification_groups (organization_id, group_key) WHERE status = 'open'`,
  `CREATE INDEX notification_groups_due ON notification_groups (flush_at) WHERE status = 'open'`,
  `CREATE TABLE notification_group_items (
    group_id INTEGER NOT NULL REFERENCES notification_groups(id) ON DELETE CASCADE,
    drift_event_id INTEGER NOT NULL,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    priority VARCHAR(10) NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'critical')),
    severity_score NUMERIC(3,2),
    is_security_critical BOOLEAN NOT NULL DEFAULT FALSE,
    analysis_pending BOOLEAN NOT NULL DEFAULT FALSE,
    item JSONB NOT NULL,
    changed_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    resolved_at TIMESTAMP WITH TIME ZONE,
    acknowledged_at TIMESTAMP WITH TIME ZONE,
    acknowledged_by VARCHAR(255),
    notified_version INTEGER,
    PRIMARY KEY (group_id, drift_event_id)
  )`,
  `CREATE INDEX notification_group_items_drift ON notification_group_items (organization_id, drift_event_id)`,
  // Resolutions the notifier has seen, so a recommendation arriving after its drift's resolution
  // (messages come in any order) does not alert.
  `CREATE TABLE notification_resolved_drifts (
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    drift_event_id INTEGER NOT NULL,
    resolved_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (organization_id, drift_event_id)
  )`,
  `ALTER TABLE notifications
    ADD COLUMN organization_id INTEGER REFERENCES organizations(id) ON DELETE CASCADE,
    ADD COLUMN group_id INTEGER REFERENCES notification_groups(id) ON DELETE CASCADE,
    ADD COLUMN alert_key VARCHAR(255),
    ADD COLUMN action VARCHAR(20) CHECK (action IN ('trigger', 'update', 'resolve', 'reminder', 'test')),
    ADD COLUMN dedupe_key VARCHAR(300),
    ADD COLUMN idempotency_key UUID NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'pending'
      CHECK (status IN ('pending', 'claimed', 'sent', 'delivered', 'failed', 'suppressed', 'dead')),
    ADD COLUMN covered_drift_ids JSONB NOT NULL DEFAULT '[]',
    ADD COLUMN suppressed_by_silence_id INTEGER,
    ADD COLUMN suppressed_by_window_id INTEGER,
    ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN retries_from INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at TIMESTAMP WITH TIME ZONE,
    ADD COLUMN claimed_by VARCHAR(255),
    ADD COLUMN claimed_until TIMESTAMP WITH TIME ZONE,
    ADD COLUMN provider_ref JSONB,
    ADD COLUMN last_error TEXT,
    ADD COLUMN created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`,
  // A flush of a group reaches each channel once, whoever flushes it and however often.
  `CREATE UNIQUE INDEX notifications_channel_dedupe ON notifications (channel_id, dedupe_key) WHERE dedupe_key IS NOT NULL`,
  `CREATE UNIQUE INDEX notifications_idempotency_key ON notifications (idempotency_key)`,
  `CREATE INDEX notifications_due ON notifications (organization_id, next_attempt_at) WHERE status IN ('pending', 'claimed')`,
  `CREATE INDEX notifications_alert ON notifications (channel_id, alert_key, id)`,
  `ALTER TABLE notification_deliveries ADD COLUMN latency_ms INTEGER, ADD COLUMN claimed_by VARCHAR(255)`,
  `CREATE TABLE silences (
    id SERIAL PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    matchers JSONB NOT NULL,
    starts_at TIMESTAMP WITH TIME ZONE NOT NULL,
    ends_at TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by VARCHAR(255) NOT NULL,
    comment TEXT NOT NULL,
    source_message_id UUID UNIQUE,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at)
  )`,
  `CREATE INDEX silences_active ON silences (organization_id, ends_at)`,
  `CREATE TABLE maintenance_windows (
    id SERIAL PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    environment_id INTEGER REFERENCES environments(id) ON DELETE CASCADE,
    name VARCHAR(255) NOT NULL,
    kind VARCHAR(20) NOT NULL DEFAULT 'maintenance' CHECK (kind IN ('maintenance', 'quiet_hours')),
    weekdays JSONB NOT NULL DEFAULT '[0,1,2,3,4,5,6]',
    start_time VARCHAR(5) NOT NULL CHECK (start_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
    end_time VARCHAR(5) NOT NULL CHECK (end_time ~ '^([01][0-9]|2[0-4]):[0-5][0-9]$'),
    time_zone VARCHAR(64) NOT NULL DEFAULT 'UTC',
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE channel_health (
    channel_id INTEGER PRIMARY KEY REFERENCES notification_channels(id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    next_send_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    failing_since TIMESTAMP WITH TIME ZONE,
    healthy BOOLEAN NOT NULL DEFAULT TRUE,
    unhealthy_reported_at TIMESTAMP WITH TIME ZONE,
    last_success_at TIMESTAMP WITH TIME ZONE,
    last_error TEXT
  )`,
  `ALTER TABLE routing_rules ADD COLUMN position INTEGER NOT NULL DEFAULT 0, ADD COLUMN continue BOOLEAN NOT NULL DEFAULT FALSE`,
  `ALTER TABLE notification_channels ADD COLUMN is_default BOOLEAN NOT NULL DEFAULT FALSE`,
  ...tenantTables.flatMap((table) => [
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_isolation ON ${table} TO dg_app
      USING (organization_id = dg_current_org()) WITH CHECK (organization_id = dg_current_org())`,
    `DO $do$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dg_service') THEN
        ALTER POLICY tenant_isolation ON ${table} TO dg_app, dg_service;
      END IF;
    END $do$`,
  ]),
  `CREATE FUNCTION dg_notifier_due_organizations()
    RETURNS TABLE (organization_id integer)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT g.organization_id FROM notification_groups g
        WHERE g.status = 'open' AND (g.flush_at <= now() OR g.repeat_at <= now())
      UNION
      SELECT n.organization_id FROM notifications n
        WHERE n.organization_id IS NOT NULL AND ((n.status = 'pending' AND coalesce(n.next_attempt_at, n.created_at) <= now())
          OR (n.status = 'claimed' AND n.claimed_until < now())) $$`,
  `REVOKE ALL ON FUNCTION dg_notifier_due_organizations() FROM PUBLIC`,
  `DO $do$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dg_notifier') THEN
      GRANT EXECUTE ON FUNCTION dg_notifier_due_organizations() TO dg_notifier;
    END IF;
  END $do$`,
];

const down_ = [
  'DROP FUNCTION dg_notifier_due_organizations()',
  'ALTER TABLE notification_channels DROP COLUMN is_default',
  'ALTER TABLE routing_rules DROP COLUMN position, DROP COLUMN continue',
  'DROP TABLE channel_health',
  'DROP TABLE maintenance_windows',
  'DROP TABLE silences',
  'ALTER TABLE notification_deliveries DROP COLUMN latency_ms, DROP COLUMN claimed_by',
  `ALTER TABLE notifications DROP COLUMN organization_id, DROP COLUMN group_id, DROP COLUMN alert_key, DROP COLUMN action,
    DROP COLUMN dedupe_key, DROP COLUMN idempotency_key, DROP COLUMN status, DROP COLUMN covered_drift_ids,
    DROP COLUMN suppressed_by_silence_id, DROP COLUMN suppressed_by_window_id, DROP COLUMN attempts, DROP COLUMN retries_from, DROP COLUMN next_attempt_at,
    DROP COLUMN claimed_by, DROP COLUMN claimed_until, DROP COLUMN provider_ref, DROP COLUMN last_error, DROP COLUMN created_at`,
  'DROP TABLE notification_resolved_drifts',
  'DROP TABLE notification_group_items',
  'DROP TABLE notification_groups',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of up_) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const s of down_) await sql.raw(s).execute(db);
}
