import type { Database, NotificationGroup } from '@driftguard/db';
import type { EnvironmentSummary } from '@driftguard/contracts';
import { sql, type Kysely, type Transaction } from 'kysely';
import { StoredItem } from '../alert/stored-item.js';

/** An item of an open group, as the handlers read it back. */
export interface OpenItem {
  groupId: number;
  item: StoredItem;
  resolved: boolean;
}

/**
 * The open-group item of a drift, locked for the handler's transaction. Locks are taken in the
 * order every writer of groups takes them, the group first and then its items (a flush holds a
 * group while it updates the group's items), so a handler and a flush never deadlock.
 */
export async function openItemOfDrift(
  tx: Transaction<Database>,
  orgId: number,
  driftEventId: number,
): Promise<OpenItem | undefined> {
  // The open group holding the drift, locked; one that closed meanwhile is rechecked under the lock and left out.
  const group = await tx
    .selectFrom('notification_groups')
    .select('id')
    .where('status', '=', 'open')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('notification_group_items')
        .select('group_id')
        .where('organization_id', '=', orgId)
        .where('drift_event_id', '=', driftEventId),
    )
    .forUpdate()
    .executeTakeFirst();
  if (!group) return undefined;
  const row = await tx
    .selectFrom('notification_group_items')
    .select(['group_id', 'item', 'resolved_at'])
    .where('group_id', '=', group.id)
    .where('drift_event_id', '=', driftEventId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return undefined;
  return { groupId: row.group_id, item: StoredItem.parse(row.item), resolved: row.resolved_at !== null };
}

/**
 * The open group of `groupKey`, created when there is none; its `flush_at` is brought forward
 * to `flushAt` (never pushed back). Concurrent callers meet on the unique open key.
 */
export async function joinGroup(
  tx: Transaction<Database>,
  g: { orgId: number; envId: number; groupKey: string; environment: EnvironmentSummary | { name: string; production: boolean } },
  flushAt: (group: { createdAt: Date; lastFlushedAt: Date | null }) => Date,
): Promise<NotificationGroup> {
  await tx
    .insertInto('notification_groups')
    .values({
      organization_id: g.orgId,
      environment_id: g.envId,
      group_key: g.groupKey,
      environment: JSON.stringify(g.environment),
    })
    .onConflict((oc) => oc.columns(['organization_id', 'group_key']).where('status', '=', 'open').doNothing())
    .execute();
  const group = await tx
    .selectFrom('notification_groups')
    .selectAll()
    .where('organization_id', '=', g.orgId)
    .where('group_key', '=', g.groupKey)
    .where('status', '=', 'open')
    .forUpdate()
    .executeTakeFirstOrThrow();
  const due = flushAt({ createdAt: group.created_at, lastFlushedAt: group.last_flushed_at });
  if (group.flush_at === null || due < group.flush_at) {
    await tx.updateTable('notification_groups').set({ flush_at: due }).where('id', '=', group.id).execute();
    return { ...group, flush_at: due };
  }
  return group;
}

/** Adds a drift to a group, or replaces what the group knew of it (newer analysis, a recommendation). */
export async function putItem(tx: Transaction<Database>, orgId: number, groupId: number, item: StoredItem): Promise<void> {
  const values = {
    priority: item.priority,
    severity_score: item.severityScore === null ? null : item.severityScore.toFixed(2),
    is_security_critical: item.isSecurityCritical,
    analysis_pending: item.analysisPending,
    item: JSON.stringify(item),
    changed_at: new Date(),
  };
  await tx
    .insertInto('notification_group_items')
    .values({ group_id: groupId, drift_event_id: item.driftEventId, organization_id: orgId, ...values })
    .onConflict((oc) => oc.columns(['group_id', 'drift_event_id']).doUpdateSet(values))
    .execute();
}

/** Marks a drift resolved in its open group; returns the group, or undefined when no open group holds it. */
export async function resolveItem(
  tx: Transaction<Database>,
  orgId: number,
  driftEventId: number,
  resolvedAt: Date,
): Promise<{ groupId: number; openLeft: number; notified: boolean } | undefined> {
  const item = await openItemOfDrift(tx, orgId, driftEventId);
  if (!item || item.resolved) return undefined;
  await tx
    .updateTable('notification_group_items')
    .set({ resolved_at: resolvedAt, changed_at: new Date() })
    .where('group_id', '=', item.groupId)
    .where('drift_event_id', '=', driftEventId)
    .execute();
  const group = await tx
    .selectFrom('notification_groups')
    .select(['last_flushed_at'])
    .where('id', '=', item.groupId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const open = await tx
    .selectFrom('notification_group_items')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('group_id', '=', item.groupId)
    .where('resolved_at', 'is', null)
    .executeTakeFirstOrThrow();
  return { groupId: item.groupId, openLeft: Number(open.n), notified: group.last_flushed_at !== null };
}

/** Brings a group's flush forward to `at` (never back). */
export async function scheduleFlush(tx: Transaction<Database>, groupId: number, at: Date): Promise<void> {
  await tx
    .updateTable('notification_groups')
    .set({ flush_at: sql<Date>`least(coalesce(flush_at, ${at}), ${at})` })
    .where('id', '=', groupId)
    .execute();
}

/** Open groups due for a flush or a reminder, locked; others' locked groups are skipped. */
export async function lockDueGroups(tx: Transaction<Database>, orgId: number, limit: number): Promise<NotificationGroup[]> {
  return tx
    .selectFrom('notification_groups')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where('status', '=', 'open')
    .where((eb) => eb.or([eb('flush_at', '<=', sql<Date>`now()`), eb('repeat_at', '<=', sql<Date>`now()`)]))
    .orderBy('flush_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export interface GroupItemRow {
  item: StoredItem;
  changedAt: Date;
  resolvedAt: Date | null;
  acknowledgedAt: Date | null;
}

export async function itemsOfGroup(db: Kysely<Database>, groupId: number): Promise<GroupItemRow[]> {
  const rows = await db
    .selectFrom('notification_group_items')
    .select(['item', 'changed_at', 'resolved_at', 'acknowledged_at'])
    .where('group_id', '=', groupId)
    .execute();
  return rows.map((r) => ({
    item: StoredItem.parse(r.item),
    changedAt: r.changed_at,
    resolvedAt: r.resolved_at,
    acknowledgedAt: r.acknowledged_at,
  }));
}

/** Records a flush: the group's new version, when it flushed, and its next reminder; closes it when everything resolved. */
export async function recordFlush(
  tx: Transaction<Database>,
  groupId: number,
  f: { version: number; at: Date; repeatAt: Date | null; closed: boolean },
): Promise<void> {
  await tx
    .updateTable('notification_groups')
    .set({
      version: f.version,
      last_flushed_at: f.at,
      flush_at: null,
      repeat_at: f.repeatAt,
      ...(f.closed ? { status: 'resolved' as const, resolved_at: f.at } : {}),
    })
    .where('id', '=', groupId)
    .execute();
  await tx.updateTable('notification_group_items').set({ notified_version: f.version }).where('group_id', '=', groupId).execute();
}

/** Records who acknowledged a drift; a fully acknowledged group gets no reminders. */
export async function acknowledgeItem(
  tx: Transaction<Database>,
  orgId: number,
  driftEventId: number,
  actor: string,
  at: Date,
): Promise<boolean> {
  const res = await tx
    .updateTable('notification_group_items')
    .set({ acknowledged_at: at, acknowledged_by: actor })
    .where('organization_id', '=', orgId)
    .where('drift_event_id', '=', driftEventId)
    .where('acknowledged_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** One group, locked. */
export async function lockGroup(tx: Transaction<Database>, groupId: number): Promise<NotificationGroup> {
  return tx.selectFrom('notification_groups').selectAll().where('id', '=', groupId).forUpdate().executeTakeFirstOrThrow();
}

/** The open group of a key, locked, if there is one. */
export async function lockOpenGroup(
  tx: Transaction<Database>,
  orgId: number,
  groupKey: string,
): Promise<NotificationGroup | undefined> {
  return tx
    .selectFrom('notification_groups')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where('group_key', '=', groupKey)
    .where('status', '=', 'open')
    .forUpdate()
    .executeTakeFirst();
}

/** Remembers that a drift was resolved (whether or not it was ever queued). */
export async function rememberResolution(
  tx: Transaction<Database>,
  orgId: number,
  driftEventId: number,
  resolvedAt: Date,
): Promise<void> {
  await tx
    .insertInto('notification_resolved_drifts')
    .values({ organization_id: orgId, drift_event_id: driftEventId, resolved_at: resolvedAt })
    .onConflict((oc) => oc.columns(['organization_id', 'drift_event_id']).doNothing())
    .execute();
}

/** Whether a drift's resolution was seen already. */
export async function wasResolved(db: Kysely<Database>, orgId: number, driftEventId: number): Promise<boolean> {
  const row = await db
    .selectFrom('notification_resolved_drifts')
    .select('drift_event_id')
    .where('organization_id', '=', orgId)
    .where('drift_event_id', '=', driftEventId)
    .executeTakeFirst();
  return row !== undefined;
}
