import type { Database, NotificationGroup } from '@driftguard/db';
import { EnvironmentSummary } from '@driftguard/contracts';
import { z } from 'zod';
import type { Transaction } from 'kysely';
import { buildPayload, type AlertAction } from '../alert/alert-payload.js';
import type { StoredItem } from '../alert/stored-item.js';
import { insertNotification, notifiedChannelIds } from '../delivery/notifications.queries.js';
import { routeItem } from '../routing/route.js';
import type { ChannelRow, RuleRow } from '../routing/routing-rules.queries.js';
import type { ActiveSilence, ActiveWindow } from '../silencing/silences.queries.js';
import { suppressorOf, type Suppressor } from '../silencing/suppression.js';
import { itemsOfGroup, recordFlush, type GroupItemRow } from './notification-groups.queries.js';

/** What one flush needs beside the group: the organization's routing and suppression as of now. */
export interface FlushContext {
  now: Date;
  repeatIntervalMs: number;
  rules: readonly RuleRow[];
  channels: readonly ChannelRow[];
  silences: readonly ActiveSilence[];
  windows: readonly ActiveWindow[];
}

const GroupEnvironment = z.object({ name: z.string(), production: z.boolean() });

/** What an item without an environment of its own takes from its group. */
function withGroupEnvironment(item: StoredItem, group: NotificationGroup): StoredItem {
  if (item.environment) return item;
  const summary = EnvironmentSummary.safeParse(group.environment);
  return summary.success ? { ...item, environment: summary.data } : item;
}

/** The alert key of a group: what PagerDuty's dedup_key and the Slack message a later update edits derive from. */
export function groupAlertKey(group: Pick<NotificationGroup, 'environment_id' | 'id'>): string {
  return `group:${group.environment_id}:${group.id}`;
}

/** Which message a flush sends, from what changed since the last one (Alertmanager's dedup stage). */
function decideAction(group: NotificationGroup, rows: readonly GroupItemRow[], now: Date): AlertAction | 'close' | 'none' {
  const open = rows.filter((r) => r.resolvedAt === null);
  if (group.last_flushed_at === null) return open.length === 0 ? 'close' : 'trigger';
  if (open.length === 0) return 'resolve';
  const since = group.last_flushed_at;
  if (rows.some((r) => r.changedAt > since)) return 'update';
  if (group.repeat_at !== null && group.repeat_at <= now && open.some((r) => r.acknowledgedAt === null)) return 'reminder';
  return 'none';
}

/**
 * Flushes one locked group: decides the message (first notification, update, resolution,
 * reminder), routes its drifts to channels, holds back what silences and maintenance windows
 * cover (recorded as suppressed, with what suppressed it) and writes one notification row per
 * channel, all in the caller's transaction. A group resolved before its first flush sends nothing.
 */
export async function flushGroup(tx: Transaction<Database>, group: NotificationGroup, ctx: FlushContext): Promise<number> {
  const rows = (await itemsOfGroup(tx, group.id)).map((r) => ({ ...r, item: withGroupEnvironment(r.item, group) }));
  const decided = decideAction(group, rows, ctx.now);
  const version = group.version + 1;
  if (decided === 'close' || decided === 'none') {
    const closed = decided === 'close';
    const repeatAt = !closed && group.repeat_at !== null && group.repeat_at > ctx.now ? group.repeat_at : null;
    await recordFlush(tx, group.id, {
      version: group.version,
      at: group.last_flushed_at ?? ctx.now,
      since: group.last_flushed_at,
      repeatAt,
      closed,
    });
    return 0;
  }
  const env = GroupEnvironment.parse(group.environment);
  const environment = { id: group.environment_id, name: env.name, production: env.production };
  const notified = await notifiedChannelIds(tx, group.id);
  const open = rows.filter((r) => r.resolvedAt === null).map((r) => r.item);
  const perChannel = new Map<number, { channel: ChannelRow; items: StoredItem[] }>();
  const add = (channel: ChannelRow, item: StoredItem) => {
    const entry = perChannel.get(channel.id) ?? { channel, items: [] };
    entry.items.push(item);
    perChannel.set(channel.id, entry);
  };
  if (decided === 'resolve') {
    for (const c of ctx.channels) if (notified.has(c.id)) for (const r of rows) add(c, r.item);
  } else {
    for (const item of open) for (const c of routeItem(item, group.environment_id, ctx.rules, ctx.channels)) add(c, item);
    // Channels told earlier hear how it goes on, even if routing changed since.
    for (const c of ctx.channels) if (notified.has(c.id) && !perChannel.has(c.id)) for (const item of open) add(c, item);
  }
  const resolvedAt = new Map(
    rows.flatMap((r) => (r.resolvedAt ? [[r.item.driftEventId, r.resolvedAt.toISOString()] as const] : [])),
  );
  let written = 0;
  for (const { channel, items } of perChannel.values()) {
    // A channel that never got this group's first message gets it now, whatever the group's stage.
    const action: AlertAction = decided !== 'resolve' && !notified.has(channel.id) ? 'trigger' : decided;
    let sendable = items;
    let suppressedBy: Suppressor | undefined;
    if (action !== 'resolve') {
      sendable = [];
      for (const item of items) {
        const s = suppressorOf(item, group.environment_id, ctx, ctx.now);
        if (s) suppressedBy ??= s;
        else sendable.push(item);
      }
    }
    const listed = sendable.length > 0 ? sendable : items;
    const payload = buildPayload(
      action,
      environment,
      group.id,
      listed.map((i) => ({ ...i, ...(resolvedAt.has(i.driftEventId) ? { resolvedAt: resolvedAt.get(i.driftEventId) } : {}) })),
    );
    await insertNotification(tx, {
      orgId: group.organization_id,
      channelId: channel.id,
      groupId: group.id,
      alertKey: groupAlertKey(group),
      action,
      dedupeKey: `${group.id}:${version}`,
      payload,
      coveredDriftIds: listed.map((i) => i.driftEventId),
      ...(sendable.length === 0 && suppressedBy ? { suppressedBy } : {}),
    });
    written++;
  }
  const closed = decided === 'resolve';
  await recordFlush(tx, group.id, {
    version,
    at: ctx.now,
    since: group.last_flushed_at,
    repeatAt: closed ? null : new Date(ctx.now.getTime() + ctx.repeatIntervalMs),
    closed,
  });
  return written;
}
