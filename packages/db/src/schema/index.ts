import type { TableOf } from './columns.js';
import type { DeadLettersTable } from './dead-letters.js';
import type { OutboxTable } from './outbox.js';
import type { ProcessedMessagesTable } from './processed-messages.js';
import { deadLettersColumns, outboxColumns, processedMessagesColumns } from './messaging-columns.js';
import { apiTokensColumns } from './api-tokens.js';
import { auditLogColumns } from './audit-log.js';
import { contextSignalsColumns } from './context-signals.js';
import { correlationEventsColumns } from './correlation-events.js';
import { driftCauseAnalysisColumns } from './drift-cause-analysis.js';
import { driftChangesColumns } from './drift-changes.js';
import { driftEventsColumns } from './drift-events.js';
import { driftMetricsDailyColumns } from './drift-metrics-daily.js';
import { environmentsColumns } from './environments.js';
import { iacRepositoriesColumns } from './iac-repositories.js';
import { iacResourcesColumns } from './iac-resources.js';
import { iacSourceFilesColumns } from './iac-source-files.js';
import { ignoreRulesColumns } from './ignore-rules.js';
import { mlModelsColumns } from './ml-models.js';
import { mlPerformanceMetricsColumns } from './ml-performance-metrics.js';
import { mlPredictionsColumns } from './ml-predictions.js';
import { notificationChannelsColumns } from './notification-channels.js';
import { notificationDeliveriesColumns } from './notification-deliveries.js';
import { notificationsColumns } from './notifications.js';
import { operationalContextColumns } from './operational-context.js';
import { organizationsColumns } from './organizations.js';
import { recommendationsColumns } from './recommendations.js';
import { routingRulesColumns } from './routing-rules.js';
import { scansColumns } from './scans.js';
import { userSessionsColumns } from './user-sessions.js';
import { usersColumns } from './users.js';
import { integrationsColumns } from './integrations.js';
import { recommendationPoliciesColumns } from './recommendation-policies.js';
import { notificationGroupsColumns } from './notification-groups.js';
import { notificationGroupItemsColumns } from './notification-group-items.js';
import { notificationResolvedDriftsColumns } from './notification-resolved-drifts.js';
import { silencesColumns } from './silences.js';
import { maintenanceWindowsColumns } from './maintenance-windows.js';
import { channelHealthColumns } from './channel-health.js';
import { ignoreRuleScanCountsColumns } from './ignore-rule-scan-counts.js';
import { jobLeasesColumns } from './job-leases.js';

/**
 * Column descriptors of the tables whose Kysely interfaces derive from them, by table name.
 * Adding a table: write `schema/<table>.ts` (descriptor + derived types) and list it here.
 */
export const derivedTableColumns = {
  // migration 0001: the seed
  organizations: organizationsColumns,
  environments: environmentsColumns,
  iac_repositories: iacRepositoriesColumns,
  iac_resources: iacResourcesColumns,
  iac_source_files: iacSourceFilesColumns,
  drift_events: driftEventsColumns,
  drift_changes: driftChangesColumns,
  ml_models: mlModelsColumns,
  ml_predictions: mlPredictionsColumns,
  drift_cause_analysis: driftCauseAnalysisColumns,
  recommendations: recommendationsColumns,
  correlation_events: correlationEventsColumns,
  operational_context: operationalContextColumns,
  audit_log: auditLogColumns,
  user_sessions: userSessionsColumns,
  notification_channels: notificationChannelsColumns,
  notifications: notificationsColumns,
  drift_metrics_daily: driftMetricsDailyColumns,
  ml_performance_metrics: mlPerformanceMetricsColumns,
  // migration 0002: platform tables
  users: usersColumns,
  api_tokens: apiTokensColumns,
  ignore_rules: ignoreRulesColumns,
  routing_rules: routingRulesColumns,
  scans: scansColumns,
  context_signals: contextSignalsColumns,
  notification_deliveries: notificationDeliveriesColumns,
  // migration 0010: signed context sources
  integrations: integrationsColumns,
  // migration 0012: recommendation policies
  recommendation_policies: recommendationPoliciesColumns,
  // migration 0013: notification grouping, silences and delivery
  notification_groups: notificationGroupsColumns,
  notification_group_items: notificationGroupItemsColumns,
  notification_resolved_drifts: notificationResolvedDriftsColumns,
  silences: silencesColumns,
  maintenance_windows: maintenanceWindowsColumns,
  channel_health: channelHealthColumns,
  // migration 0024: ignore-rule suppression counts
  ignore_rule_scan_counts: ignoreRuleScanCountsColumns,
  // migration 0025: lifecycle job leases
  job_leases: jobLeasesColumns,
} as const;

/** Descriptors of every table, including those with hand-written interfaces (messaging, 0003). */
export const tableColumns = {
  ...derivedTableColumns,
  // migration 0003: messaging (interfaces in outbox.ts, processed-messages.ts, dead-letters.ts)
  outbox: outboxColumns,
  processed_messages: processedMessagesColumns,
  dead_letters: deadLettersColumns,
} as const;

type DerivedTables = { -readonly [T in keyof typeof derivedTableColumns]: TableOf<(typeof derivedTableColumns)[T]> };

/**
 * The Kysely database type of DriftGuard. int8 and numeric columns are strings (the drivers are
 * configured so on node-pg and PGlite alike), timestamptz a Date, date and interval PostgreSQL's
 * text, bytea a Buffer, jsonb parsed JSON (written as a plain object or JSON text).
 */
export interface Database extends DerivedTables {
  outbox: OutboxTable;
  processed_messages: ProcessedMessagesTable;
  dead_letters: DeadLettersTable;
}

/** Name of a DriftGuard table. */
export type TableName = keyof Database;

export * from './columns.js';
export * from './messaging-columns.js';
export * from './outbox.js';
export * from './processed-messages.js';
export * from './dead-letters.js';
export * from './api-tokens.js';
export * from './audit-log.js';
export * from './context-signals.js';
export * from './correlation-events.js';
export * from './drift-cause-analysis.js';
export * from './drift-changes.js';
export * from './drift-events.js';
export * from './drift-metrics-daily.js';
export * from './environments.js';
export * from './iac-repositories.js';
export * from './iac-resources.js';
export * from './iac-source-files.js';
export * from './ignore-rules.js';
export * from './ml-models.js';
export * from './ml-performance-metrics.js';
export * from './ml-predictions.js';
export * from './notification-channels.js';
export * from './notification-deliveries.js';
export * from './notifications.js';
export * from './operational-context.js';
export * from './organizations.js';
export * from './recommendations.js';
export * from './routing-rules.js';
export * from './scans.js';
export * from './user-sessions.js';
export * from './users.js';
export * from './integrations.js';
export * from './recommendation-policies.js';
export * from './notification-groups.js';
export * from './notification-group-items.js';
export * from './notification-resolved-drifts.js';
export * from './silences.js';
export * from './maintenance-windows.js';
export * from './channel-health.js';
export * from './ignore-rule-scan-counts.js';
export * from './job-leases.js';
