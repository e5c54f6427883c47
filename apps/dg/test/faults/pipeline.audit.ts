import type { Bus } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import { sql, type Kysely } from 'kysely';

/**
 * What the pipeline made of the submitted drifts, per drift, by unique key: each drift (its
 * resource address) must have exactly one drift_event, one cause analysis, one open
 * recommendation (at least one in all) and exactly one delivered notification on the channel
 * (the notifier groups by scan and resource type, and no scan holds two drifts of one type).
 */
export interface PipelineAudit {
  submitted: number;
  /** submitted drifts without a drift_event */
  lost: string[];
  /** addresses with more than one drift_event */
  duplicated: string[];
  /** drift_events of addresses never submitted */
  unexpected: string[];
  /** drifts without a cause analysis / with more than one */
  withoutAnalysis: string[];
  duplicateAnalyses: string[];
  /** drifts without any recommendation / without exactly one open one */
  withoutRecommendation: string[];
  notOneOpenRecommendation: string[];
  /** drifts no delivered notification covers / covered by more than one notification */
  withoutNotification: string[];
  duplicateNotifications: string[];
  /** notifications of the channel by status */
  notificationStatuses: Record<string, number>;
  /** delivered notifications whose idempotency key never reached the provider */
  notReceived: string[];
}

/** Rows per drift, keyed by the drift's resource address (the last segment of resource_key). */
interface DriftRow {
  id: number;
  address: string | null;
  analyses: number;
  recommendations: number;
  open_recommendations: number;
}

export async function auditPipeline(
  db: Kysely<Database>,
  submitted: ReadonlySet<string>,
  channelId: number,
  receivedKeys: ReadonlySet<string>,
): Promise<PipelineAudit> {
  const drifts = await sql<DriftRow>`
    SELECT d.id,
           d.resource_key AS address,
           (SELECT count(*)::int FROM drift_cause_analysis c WHERE c.drift_event_id = d.id) AS analyses,
           (SELECT count(*)::int FROM recommendations r WHERE r.drift_event_id = d.id) AS recommendations,
           (SELECT count(*)::int FROM recommendations r WHERE r.drift_event_id = d.id AND r.status = 'open') AS open_recommendations
      FROM drift_events d`.execute(db);
  const notifications = await db
    .selectFrom('notifications')
    .select(['id', 'status', 'covered_drift_ids', 'idempotency_key'])
    .where('channel_id', '=', channelId)
    .execute();

  const byAddress = new Map<string, DriftRow[]>();
  for (const row of drifts.rows) {
    const address = addressOf(row.address);
    byAddress.set(address, [...(byAddress.get(address) ?? []), row]);
  }
  const coveredBy = new Map<number, { status: string }[]>();
  const notificationStatuses: Record<string, number> = {};
  const notReceived: string[] = [];
  for (const n of notifications) {
    notificationStatuses[n.status] = (notificationStatuses[n.status] ?? 0) + 1;
    if (n.status === 'delivered' && !receivedKeys.has(n.idempotency_key)) notReceived.push(n.idempotency_key);
    const covered = Array.isArray(n.covered_drift_ids) ? n.covered_drift_ids : [];
    for (const id of covered) if (typeof id === 'number') coveredBy.set(id, [...(coveredBy.get(id) ?? []), { status: n.status }]);
  }

  const audit: PipelineAudit = {
    submitted: submitted.size,
    lost: [],
    duplicated: [],
    unexpected: [...byAddress.keys()].filter((a) => !submitted.has(a)),
    withoutAnalysis: [],
    duplicateAnalyses: [],
    withoutRecommendation: [],
    notOneOpenRecommendation: [],
    withoutNotification: [],
    duplicateNotifications: [],
    notificationStatuses,
    notReceived,
  };
  for (const address of submitted) {
    const rows = byAddress.get(address) ?? [];
    if (rows.length === 0) audit.lost.push(address);
    if (rows.length > 1) audit.duplicated.push(address);
    for (const row of rows) {
      if (row.analyses === 0) audit.withoutAnalysis.push(address);
      if (row.analyses > 1) audit.duplicateAnalyses.push(address);
      if (row.recommendations === 0) audit.withoutRecommendation.push(address);
      if (row.open_recommendations !== 1) audit.notOneOpenRecommendation.push(address);
      const covering = coveredBy.get(row.id) ?? [];
      if (!covering.some((n) => n.status === 'delivered')) audit.withoutNotification.push(address);
      if (covering.length > 1) audit.duplicateNotifications.push(address);
    }
  }
  return audit;
}

/** `addr:aws_instance.fault_12` → `aws_instance.fault_12`: ingest keys a resource by its IaC address. */
function addressOf(resourceKey: string | null): string {
  return (resourceKey ?? '').replace(/^addr:/, '');
}

/** Messages not yet delivered or not yet acknowledged, per durable consumer of every stream. */
export async function consumerLag(bus: Bus): Promise<Record<string, number>> {
  const lag: Record<string, number> = {};
  for await (const stream of bus.jsm.streams.list()) {
    for await (const c of bus.jsm.consumers.list(stream.config.name)) {
      lag[`${stream.config.name}/${c.name}`] = c.num_pending + c.num_ack_pending;
    }
  }
  return lag;
}

/** Outbox rows every relay has still to publish. */
export async function unpublishedOutbox(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('published_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Rows each stage has written so far, and what its consumers still hold: a line of progress. */
export async function pipelineProgress(db: Kysely<Database>, bus: Bus): Promise<string> {
  const counts = await sql<{ drifts: number; analyses: number; recommendations: number; delivered: number; waiting: number }>`
    SELECT (SELECT count(*)::int FROM drift_events) AS drifts,
           (SELECT count(*)::int FROM drift_cause_analysis) AS analyses,
           (SELECT count(*)::int FROM recommendations) AS recommendations,
           (SELECT count(*)::int FROM notifications WHERE status = 'delivered') AS delivered,
           (SELECT count(*)::int FROM notifications WHERE status <> 'delivered') AS waiting`.execute(db);
  const lagging = Object.entries(await consumerLag(bus))
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name.slice(name.indexOf('/') + 1)}=${n}`);
  return `${JSON.stringify(counts.rows[0])} lag ${lagging.join(' ') || 0} outbox ${await unpublishedOutbox(db)}`;
}
