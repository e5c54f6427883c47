import type { EnvironmentSummary } from '@driftguard/contracts';
import type { Database, NotificationGroup } from '@driftguard/db';
import type { Transaction } from 'kysely';
import type { StoredItem } from '../alert/stored-item.js';
import { environmentSummary } from './environments.queries.js';
import { joinGroup, lockGroup, lockOpenGroup, openItemOfDrift, putItem, scheduleFlush } from './notification-groups.queries.js';

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

/**
 * Puts what is known of a drift into its open group (creating the group) and schedules the
 * group's flush. A drift already in an open group is updated in place, so its later analysis
 * amends the alert already sent instead of opening another.
 */
export async function admitItem(
  tx: Transaction<Database>,
  scope: { orgId: number; envId: number },
  item: StoredItem,
  opts: GroupingOptions,
  existingGroupId?: number,
): Promise<NotificationGroup> {
  const now = new Date();
  const groupKey = groupKeyOf(scope.envId, item, opts.groupBy);
  const found =
    existingGroupId !== undefined ? await lockGroup(tx, existingGroupId) : await lockOpenGroup(tx, scope.orgId, groupKey);
  let group: NotificationGroup;
  if (found) {
    group = found;
    await scheduleFlush(
      tx,
      group.id,
      flushAtFor(item, { createdAt: group.created_at, lastFlushedAt: group.last_flushed_at }, opts, now),
    );
  } else {
    // Only a new group needs the environment's name; its items take it from the group when they carry none.
    const environment: EnvironmentSummary | { name: string; production: boolean } = item.environment ??
      (await environmentSummary(tx, scope.envId)) ?? { name: `environment ${scope.envId}`, production: false };
    group = await joinGroup(tx, { orgId: scope.orgId, envId: scope.envId, groupKey, environment }, (g) =>
      flushAtFor(item, g, opts, now),
    );
  }
  await putItem(tx, scope.orgId, group.id, item);
  return group;
}

export { openItemOfDrift };
