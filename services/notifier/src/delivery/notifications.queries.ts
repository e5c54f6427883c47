import type { ChannelType } from '@driftguard/contracts';
import type { Database, Notification } from '@driftguard/db';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AlertAction, AlertPayload } from '../alert/alert-payload.js';
import type { Suppressor } from '../silencing/suppression.js';

export interface NewNotificationRow {
  orgId: number;
  channelId: number;
  groupId: number | null;
  alertKey: string;
  action: AlertAction;
  /** one write per (channel, dedupeKey), whoever writes it and however often */
  dedupeKey: string;
  payload: AlertPayload;
  coveredDriftIds: number[];
  suppressedBy?: Suppressor;
}

/** Writes a notification row unless its (channel, dedupe key) exists; makes sure the channel has a health row. */
export async function insertNotification(tx: Transaction<Database>, n: NewNotificationRow): Promise<void> {
  await tx
    .insertInto('channel_health')
    .values({ channel_id: n.channelId, organization_id: n.orgId })
    .onConflict((oc) => oc.column('channel_id').doNothing())
    .execute();
  const single = n.payload.total === 1 ? n.payload.items[0]?.driftEventId : undefined;
  await tx
    .insertInto('notifications')
    .values({
      organization_id: n.orgId,
      channel_id: n.channelId,
      group_id: n.groupId,
      // Only a lone drift's row names it: the row then follows the drift's row-level security.
      drift_event_id: null,
      notification_type: single === undefined ? 'drift_group' : 'drift',
      alert_key: n.alertKey,
      action: n.action,
      dedupe_key: n.dedupeKey,
      subject: n.payload.title,
      priority: n.payload.priority,
      metadata: JSON.stringify({ alert: n.payload }),
      covered_drift_ids: JSON.stringify(n.coveredDriftIds),
      status: n.suppressedBy ? 'suppressed' : 'pending',
      suppressed_by_silence_id: n.suppressedBy && 'silenceId' in n.suppressedBy ? n.suppressedBy.silenceId : null,
      suppressed_by_window_id: n.suppressedBy && 'windowId' in n.suppressedBy ? n.suppressedBy.windowId : null,
      next_attempt_at: sql<Date>`now()`,
    })
    .onConflict((oc) => oc.columns(['channel_id', 'dedupe_key']).where('dedupe_key', 'is not', null).doNothing())
    .execute();
}

/** Channels a group's notifications reached or are reaching (the ones its updates and resolution go to). */
export async function notifiedChannelIds(tx: Transaction<Database>, groupId: number): Promise<Set<number>> {
  const rows = await tx
    .selectFrom('notifications')
    .select('channel_id')
    .distinct()
    .where('group_id', '=', groupId)
    .where('status', 'in', ['pending', 'claimed', 'sent', 'delivered', 'dead'])
    .execute();
  return new Set(rows.flatMap((r) => (r.channel_id === null ? [] : [r.channel_id])));
}

/** Milliseconds between two sends to one channel of a type (Slack: 1 message/s per webhook; PagerDuty: 120/min per key). */
export const CHANNEL_PACE_MS: Record<ChannelType, number> = { slack: 1_000, pagerduty: 500, webhook: 0, email: 0 };

const due = sql<boolean>`((n.status = 'pending' AND coalesce(n.next_attempt_at, n.created_at) <= clock_timestamp())
  OR (n.status = 'claimed' AND n.claimed_until < clock_timestamp()))`;

/**
 * Claims due notifications of one organization for `instance`, under a lease, before any
 * provider is called. Channels are paced: a channel is taken only when its `next_send_at` has
 * passed, and it is pushed forward by the channel type's pace in the same transaction, so
 * instances together respect it. A notification waits for the earlier unfinished ones of its
 * alert on its channel (an update never overtakes its trigger). A claim whose lease ran out
 * (its instance died) is due again and keeps its idempotency key.
 */
export async function claimDue(
  db: Kysely<Database>,
  orgId: number,
  instance: string,
  opts: { leaseMs: number; batch: number },
): Promise<Notification[]> {
  return db.transaction().execute(async (tx) => {
    const channels = await sql<{ channel_id: number; pace: number }>`
      UPDATE channel_health h
      SET next_send_at = clock_timestamp() + make_interval(secs => (CASE c.channel_type
        WHEN 'slack' THEN ${CHANNEL_PACE_MS.slack} WHEN 'pagerduty' THEN ${CHANNEL_PACE_MS.pagerduty}
        WHEN 'webhook' THEN ${CHANNEL_PACE_MS.webhook} ELSE ${CHANNEL_PACE_MS.email} END)::double precision / 1000)
      FROM notification_channels c
      WHERE c.id = h.channel_id AND h.organization_id = ${orgId} AND h.next_send_at <= clock_timestamp()
        AND EXISTS (SELECT 1 FROM notifications n WHERE n.channel_id = h.channel_id AND ${due})
      RETURNING h.channel_id, (CASE c.channel_type WHEN 'slack' THEN ${CHANNEL_PACE_MS.slack}
        WHEN 'pagerduty' THEN ${CHANNEL_PACE_MS.pagerduty} WHEN 'webhook' THEN ${CHANNEL_PACE_MS.webhook}
        ELSE ${CHANNEL_PACE_MS.email} END) AS pace`.execute(tx);
    const claimed: Notification[] = [];
    for (const ch of channels.rows) {
      const limit = Number(ch.pace) > 0 ? 1 : opts.batch;
      const rows = await sql<Notification>`
        UPDATE notifications SET status = 'claimed', claimed_by = ${instance}, attempts = attempts + 1,
          claimed_until = clock_timestamp() + make_interval(secs => ${opts.leaseMs / 1000}::double precision)
        WHERE id IN (
          SELECT n.id FROM notifications n
          WHERE n.channel_id = ${ch.channel_id} AND ${due}
            AND NOT EXISTS (SELECT 1 FROM notifications p WHERE p.channel_id = n.channel_id AND p.alert_key = n.alert_key
              AND p.id < n.id AND p.status IN ('pending', 'claimed'))
          ORDER BY n.id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
        RETURNING *`.execute(tx);
      claimed.push(...rows.rows);
    }
    return claimed;
  });
}

/** What the provider kept of the last accepted delivery of an alert on a channel (Slack's ts, PagerDuty's dedup_key). */
export async function previousProviderRef(
  db: Kysely<Database>,
  channelId: number,
  alertKey: string,
  beforeId: number,
): Promise<Record<string, string> | undefined> {
  const row = await db
    .selectFrom('notifications')
    .select('provider_ref')
    .where('channel_id', '=', channelId)
    .where('alert_key', '=', alertKey)
    .where('id', '<', beforeId)
    .where('status', '=', 'delivered')
    .where('provider_ref', 'is not', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const ref: unknown = row?.provider_ref;
  if (typeof ref !== 'object' || ref === null) return undefined;
  return Object.fromEntries(Object.entries(ref).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export type AttemptOutcome =
  | { kind: 'delivered'; status: number; providerRef?: Readonly<Record<string, string>> }
  | { kind: 'retry'; status?: number; error: string; nextAttemptAt: Date }
  | { kind: 'failed' | 'dead'; status?: number; error: string };

/**
 * Records one attempt and its outcome, if the claim is still this instance's (a claim taken
 * over after its lease ran out is the other instance's to finish). Returns whether it was.
 */
export async function finishAttempt(
  tx: Transaction<Database>,
  n: { id: number; attempt: number; instance: string; startedAt: Date; latencyMs: number },
  outcome: AttemptOutcome,
): Promise<boolean> {
  await tx
    .insertInto('notification_deliveries')
    .values({
      notification_id: n.id,
      attempt: n.attempt,
      status: outcome.kind === 'delivered' ? 'sent' : outcome.kind === 'retry' ? 'retrying' : 'failed',
      response_code: outcome.status ?? null,
      error: outcome.kind === 'delivered' ? null : outcome.error.slice(0, 4000),
      attempted_at: n.startedAt,
      next_attempt_at: outcome.kind === 'retry' ? outcome.nextAttemptAt : null,
      latency_ms: n.latencyMs,
      claimed_by: n.instance,
    })
    .onConflict((oc) => oc.columns(['notification_id', 'attempt']).doNothing())
    .execute();
  const base = tx
    .updateTable('notifications')
    .where('id', '=', n.id)
    .where('status', '=', 'claimed')
    .where('claimed_by', '=', n.instance);
  const common = { claimed_by: null, claimed_until: null, sent_at: sql<Date>`coalesce(sent_at, ${n.startedAt})` };
  let res;
  switch (outcome.kind) {
    case 'delivered':
      res = await base
        .set({
          ...common,
          status: 'delivered',
          delivered_at: new Date(),
          provider_ref: outcome.providerRef ? JSON.stringify(outcome.providerRef) : null,
          last_error: null,
        })
        .executeTakeFirst();
      break;
    case 'retry':
      res = await base
        .set({ ...common, status: 'pending', next_attempt_at: outcome.nextAttemptAt, last_error: outcome.error.slice(0, 4000) })
        .executeTakeFirst();
      break;
    case 'failed':
    case 'dead':
      res = await base
        .set({ ...common, status: outcome.kind, next_attempt_at: null, last_error: outcome.error.slice(0, 4000) })
        .executeTakeFirst();
      break;
    default: {
      const never: never = outcome;
      throw new Error(`unknown outcome ${JSON.stringify(never)}`);
    }
  }
  return Number(res.numUpdatedRows) > 0;
}

/** Puts a failed or dead notification back to be delivered at once (same idempotency key); the retry schedule starts over. */
export async function requeueNotification(db: Kysely<Database>, id: number): Promise<boolean> {
  const res = await db
    .updateTable('notifications')
    .set((eb) => ({
      status: 'pending',
      next_attempt_at: sql<Date>`now()`,
      claimed_by: null,
      claimed_until: null,
      retries_from: eb.ref('attempts'),
    }))
    .where('id', '=', id)
    .where('status', 'in', ['failed', 'dead'])
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Records that the console link of a notification was opened (the first time only). */
export async function markRead(db: Kysely<Database>, id: number): Promise<void> {
  await db
    .updateTable('notifications')
    .set({ read_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('read_at', 'is', null)
    .execute();
}
