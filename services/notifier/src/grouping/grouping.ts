import { roundsBy } from '@driftguard/bus';
import type { EnvironmentSummary } from '@driftguard/contracts';
import type { Database, NotificationGroup } from '@driftguard/db';
import type { Transaction } from 'kysely';
import type { StoredItem } from '../alert/stored-item.js';
import { environmentSummary } from './environments.queries.js';
import {
  joinGroup,
  lockGroupsFor,
  openItemsOfDrifts,
  putItems,
  resolvedAmong,
  scheduleFlushes,
  type OpenItem,
} from './notification-groups.queries.js';

/** Grouping timings and keys (README: "Grouping"). */
export interface GroupingOptions {
  groupWaitMs: number;
  groupIntervalMs: number;
  analysisWaitMs: number;
  groupBy: readonly ('scan' | 'resource_type')[];
}

/** The group a drift joins: its environment, and its scan and/or resource type when configured. */
export function groupKeyOf(envId: number, item: StoredItem, groupBy: GroupingOptions['groupBy']): string {
  let key = `env:${envId}`;
  if (groupBy.includes('scan')) key += `:scan:${item.drift.scan?.id ?? '-'}`;
  if (groupBy.includes('resource_type')) key += `:type:${item.drift.resource.type}`;
  return key.slice(0, 255);
}

/**
 * When a group must flush for this item: a critical drift at once (a security-critical drift
 * without its analysis after the analysis wait), otherwise group_wait after the group's first
 * drift, or group_interval after its last flush for a group already notified.
 */
export function flushAtFor(
  item: StoredItem,
  group: { createdAt: Date; lastFlushedAt: Date | null },
  opts: GroupingOptions,
  now: Date,
): Date {
  if (item.analysisPending) return new Date(now.getTime() + opts.analysisWaitMs);
  if (item.priority === 'critical') return now;
  if (group.lastFlushedAt === null) return new Date(group.createdAt.getTime() + opts.groupWaitMs);
  return new Date(Math.max(now.getTime(), group.lastFlushedAt.getTime() + opts.groupIntervalMs));
}

/** A drift to admit into its environment's group, and the open group already holding it, if any. */
export interface Admission {
  envId: number;
  item: StoredItem;
  existingGroupId?: number | undefined;
}

/**
 * Puts what is known of an organization's drifts (each once) into their open groups (creating a
 * group that is missing) and schedules each group's flush for the earliest its items ask. A drift
 * already in an open group is updated in place, so its later analysis amends the alert already
 * sent instead of opening another. The groups are locked in one statement, in id order; the
 * flushes and items are written with one statement each; only a group created costs its own.
 * Returns each drift's group.
 */
export async function admitItems(
  tx: Transaction<Database>,
  orgId: number,
  admissions: readonly Admission[],
  opts: GroupingOptions,
): Promise<Map<number, NotificationGroup>> {
  const now = new Date();
  const placed = new Map<number, NotificationGroup>();
  if (admissions.length === 0) return placed;
  const keyOf = (a: Admission) => groupKeyOf(a.envId, a.item, opts.groupBy);
  const locked = await lockGroupsFor(tx, orgId, {
    ids: admissions.flatMap((a) => (a.existingGroupId === undefined ? [] : [a.existingGroupId])),
    openKeys: admissions.filter((a) => a.existingGroupId === undefined).map(keyOf),
  });
  // Each group and the items going into it; the keys still without an open group.
  const into = new Map<number, { group: NotificationGroup; items: StoredItem[] }>();
  const missing = new Map<string, { envId: number; items: StoredItem[] }>();
  for (const a of admissions) {
    const group = a.existingGroupId !== undefined ? locked.byId.get(a.existingGroupId) : locked.byKey.get(keyOf(a));
    if (group) {
      const entry = into.get(group.id) ?? { group, items: [] };
      entry.items.push(a.item);
      into.set(group.id, entry);
    } else {
      const entry = missing.get(keyOf(a)) ?? { envId: a.envId, items: [] };
      entry.items.push(a.item);
      missing.set(keyOf(a), entry);
    }
  }
  const due = (items: readonly StoredItem[], g: { createdAt: Date; lastFlushedAt: Date | null }) =>
    new Date(Math.min(...items.map((item) => flushAtFor(item, g, opts, now).getTime())));
  await scheduleFlushes(
    tx,
    [...into.values()].map(({ group, items }) => ({
      groupId: group.id,
      at: due(items, { createdAt: group.created_at, lastFlushedAt: group.last_flushed_at }),
    })),
  );
  for (const [groupKey, { envId, items }] of missing) {
    // Only a new group needs the environment's name; its items take it from the group when they carry none.
    const environment: EnvironmentSummary | { name: string; production: boolean } = items.find((i) => i.environment)
      ?.environment ??
      (await environmentSummary(tx, envId)) ?? { name: `environment ${envId}`, production: false };
    const group = await joinGroup(tx, { orgId, envId, groupKey, environment }, (g) => due(items, g));
    into.set(group.id, { group, items });
  }
  const entries = [...into.values()].flatMap(({ group, items }) => items.map((item) => ({ groupId: group.id, item })));
  await putItems(tx, orgId, entries);
  for (const { group, items } of into.values()) for (const item of items) placed.set(item.driftEventId, group);
  return placed;
}

/** What the groups already hold of a round's drifts: their open items, and which were resolved. */
export interface RoundState {
  orgId: number;
  existing: Map<number, OpenItem>;
  resolved: Set<number>;
}

/**
 * Runs `admit` on each round of a batch: one organization's events, each drift once (a drift
 * named twice comes again in a later round, over the first), with what the groups hold of them
 * read in one statement each.
 */
export async function inRounds<T extends { event: { orgId: number; data: { driftEventId: number } } }>(
  tx: Transaction<Database>,
  items: readonly T[],
  admit: (round: readonly T[], state: RoundState) => Promise<void>,
): Promise<void> {
  const byOrg = new Map<number, T[]>();
  for (const item of items) byOrg.set(item.event.orgId, [...(byOrg.get(item.event.orgId) ?? []), item]);
  for (const [orgId, scoped] of byOrg)
    for (const round of roundsBy(scoped, (i) => i.event.data.driftEventId)) {
      const ids = round.map((i) => i.event.data.driftEventId);
      await admit(round, {
        orgId,
        existing: await openItemsOfDrifts(tx, orgId, ids),
        resolved: await resolvedAmong(tx, orgId, ids),
      });
    }
}
