import { OwnershipError } from './errors.js';
import type { Database, TableName } from './schema/index.js';

/** The services that own tables. */
export type ServiceName = 'ingest' | 'analysis' | 'recommender' | 'notifier' | 'api';

/**
 * Which unit writes each table (ARCHITECTURE.md, "Units and what they own"). No unit writes
 * another's table: it sends a message instead. `shared` tables are written by every unit for its
 * own rows (audit rows of its own changes; outbox, processed-message and dead-letter rows of its
 * own messages).
 */
export const TABLE_OWNERS = {
  organizations: 'api',
  environments: 'api',
  iac_repositories: 'api',
  notification_channels: 'api',
  user_sessions: 'api',
  drift_metrics_daily: 'api',
  users: 'api',
  api_tokens: 'api',
  ignore_rules: 'api',
  ignore_rule_scan_counts: 'api',
  job_leases: 'api',
  routing_rules: 'api',
  integrations: 'api',
  recommendation_policies: 'api',
  scans: 'ingest',
  iac_resources: 'ingest',
  iac_source_files: 'ingest',
  drift_events: 'ingest',
  drift_changes: 'ingest',
  context_signals: 'analysis',
  correlation_events: 'analysis',
  operational_context: 'analysis',
  drift_cause_analysis: 'analysis',
  ml_models: 'analysis',
  ml_predictions: 'analysis',
  ml_performance_metrics: 'analysis',
  recommendations: 'recommender',
  notifications: 'notifier',
  notification_deliveries: 'notifier',
  notification_groups: 'notifier',
  notification_group_items: 'notifier',
  notification_resolved_drifts: 'notifier',
  silences: 'notifier',
  maintenance_windows: 'notifier',
  channel_health: 'notifier',
  audit_log: 'shared',
  outbox: 'shared',
  processed_messages: 'shared',
  dead_letters: 'shared',
} as const satisfies Record<TableName, ServiceName | 'shared'>;

/**
 * Columns written by a unit other than their table's owner. The owner may write every other
 * column; the listed unit may write only these.
 */
export const COLUMN_OWNERS: { readonly [T in TableName]?: { readonly [C in keyof Database[T]]?: ServiceName | 'shared' } } = {
  drift_events: { severity_score: 'analysis', confidence_score: 'analysis', risk_assessment: 'analysis' },
  iac_repositories: { last_sync_at: 'ingest' },
  // Every HTTP service verifies tokens with the shared verifier, which records when a token was last used.
  api_tokens: { last_used_at: 'shared' },
};

/**
 * Throws OwnershipError unless `service` may write `columns` of `table` (all the columns it
 * owns when `columns` is omitted). Use it in query modules and tests to keep writes where
 * ARCHITECTURE.md puts them.
 */
export function assertWritable(service: ServiceName, table: string, columns?: readonly string[]): void {
  if (!Object.hasOwn(TABLE_OWNERS, table)) throw new OwnershipError('unknown_table', `unknown table ${table}`);
  const owner: ServiceName | 'shared' = TABLE_OWNERS[table as TableName];
  const delegated: Readonly<Record<string, ServiceName | 'shared' | undefined>> = COLUMN_OWNERS[table as TableName] ?? {};
  const ownerOf = (column: string) => delegated[column] ?? owner;
  if (owner === 'shared') return;
  if (columns === undefined) {
    if (owner === service) return;
    throw new OwnershipError('table_not_owned', `${service} does not own ${table} (owner: ${owner})`);
  }
  const foreign = columns.filter((column) => ownerOf(column) !== service && ownerOf(column) !== 'shared');
  if (foreign.length === 0) return;
  const code = owner === service || Object.values(delegated).includes(service) ? 'column_not_owned' : 'table_not_owned';
  throw new OwnershipError(
    code,
    `${service} may not write ${table}.${foreign.join(', ')} (owner: ${foreign.map(ownerOf).join(', ')})`,
  );
}
