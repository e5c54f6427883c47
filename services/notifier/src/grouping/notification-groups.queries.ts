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
 * The open-group items of drifts, locked for the handler's transaction, by drift. Locks are taken
 * in the order every writer of groups takes them, the groups first (in id order) and then their
 * items (a flush holds a group while it updates the group's items), so a handler and a flush
 * never deadlock. A group that closed meanwhile is rechecked under the lock and left out.
 */
export async function openItemsOfDrifts(
  tx: Transaction<Database>,
  orgId: number,
  driftEventIds: readonly number[],
): Promise<Map<number, OpenItem>> {
  const found = new Map<number, OpenItem>();
  if (driftEventIds.length === 0) return found;
  const drifts = sql<number>`ANY(${sql.val([...new Set(driftEventIds)])}::int[])`;
  const groups = await tx
    .selectFrom('notification_groups')
    .select('id')
    .where('status', '=', 'open')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('notification_group_items')
        .select('group_id')
        .where('organization_id', '=', orgId)
        .where('drift_event_id', '=', drifts),
    )
    .orderBy('id')
    .forUpdate()
    .execute();
  if (groups.length === 0) return found;
  const rows = await tx
    .selectFrom('notification_group_items')
    .select(['group_id', 'drift_event_id', 'item', 'resolved_at'])
    .where('group_id', '=', sql<number>`ANY(${sql.val(groups.map((g) => g.id))}::int[])`)
    .where('drift_event_id', '=', drifts)
    .orderBy('group_id')
    .orderBy('drift_event_id')
    .forUpdate()
    .execute();
  for (const row of rows)
    found.set(row.drift_event_id, {
      groupId: row.group_id,
      item: StoredItem.parse(row.item),
      resolved: row.resolved_at !== null,
    });
  return found;
}

/** The open-group item of a drift, locked as {@link openItemsOfDrifts} locks it. */
export async function openItemOfDrift(
  tx: Transaction<Database>,
  orgId: number,
  driftEventId: number,
): Promise<OpenItem | undefined> {
  return (await openItemsOfDrifts(tx, orgId, [driftEventId])).get(driftEventId);
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

/** Adds drifts to their groups, or replaces what a group knew of one (newer analysis, a recommendation): one statement for all. */
export async function putItems(
  tx: Transaction<Database>,
  orgId: number,
  entries: readonly { groupId: number; item: StoredItem }[],
): Promise<void> {
  if (entries.length === 0) return;
  const changedAt = new Date();
  await tx
    .insertInto('notification_group_items')
    .values(
      entries.map(({ groupId, item }) => ({
        group_id: groupId,
        drift_event_id: item.driftEventId,
        organization_id: orgId,
        priority: item.priority,
        severity_score: item.severityScore === null ? null : item.severityScore.toFixed(2),
        is_security_critical: item.isSecurityCritical,
        analysis_pending: item.analysisPending,
        item: JSON.stringify(item),
        changed_at: changedAt,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['group_id', 'drift_event_id']).doUpdateSet((eb) => ({
        priority: eb.ref('excluded.priority'),
        severity_score: eb.ref('excluded.severity_score'),
        is_security_critical: eb.ref('excluded.is_security_critical'),
        analysis_pending: eb.ref('excluded.analysis_pending'),
        item: eb.ref('excluded.item'),
        changed_at: eb.ref('excluded.changed_at'),
      })),
    )
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
  await scheduleFlushes(tx, [{ groupId, at }]);
}

/** Brings each group's flush forward to its `at` (never back), in one statement. */
export async function scheduleFlushes(
  tx: Transaction<Database>,
  flushes: readonly { groupId: number; at: Date }[],
): Promise<void> {
  if (flushes.length === 0) return;
  const rows = JSON.stringify(flushes.map((f) => ({ id: f.groupId, at: f.at.toISOString() })));
  await sql`
    UPDATE notification_groups g SET flush_at = least(coalesce(g.flush_at, f.at), f.at)
    FROM jsonb_to_recordset(${rows}::jsonb) AS f(id int, at timestamptz)
    WHERE g.id = f.id`.execute(tx);
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

/**
 * Records a flush: the group's new version, when it flushed, and its next reminder; closes it
 * when everything resolved. Items new or changed since the last flush (`since`) get the version
 * that first carried them as they are (`notified_version`); the others keep theirs, so a flush
 * of a large group rewrites only what it had news of.
 */
export async function recordFlush(
  tx: Transaction<Database>,
  groupId: number,
  f: { version: number; at: Date; since: Date | null; repeatAt: Date | null; closed: boolean },
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
  const since = f.since;
  await tx
    .updateTable('notification_group_items')
    .set({ notified_version: f.version })
    .where('group_id', '=', groupId)
    .where((eb) =>
      since === null
        ? eb('notified_version', 'is', null)
        : eb.or([eb('notified_version', 'is', null), eb('changed_at', '>', since)]),
    )
    .execute();
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

/**
 * Groups of an organization, locked in one statement in id order: those with the given ids, and
 * the open groups of the given keys. A key without an open group is absent from `byKey`.
 */
export async function lockGroupsFor(
  tx: Transaction<Database>,
  orgId: number,
  want: { ids: readonly number[]; openKeys: readonly string[] },
): Promise<{ byId: Map<number, NotificationGroup>; byKey: Map<string, NotificationGroup> }> {
  const byId = new Map<number, NotificationGroup>();
  const byKey = new Map<string, NotificationGroup>();
  if (want.ids.length === 0 && want.openKeys.length === 0) return { byId, byKey };
  const rows = await tx
    .selectFrom('notification_groups')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where((eb) =>
      eb.or([
        eb('id', '=', sql<number>`ANY(${sql.val([...new Set(want.ids)])}::int[])`),
        eb.and([
          eb('group_key', '=', sql<string>`ANY(${sql.val([...new Set(want.openKeys)])}::text[])`),
          eb('status', '=', 'open'),
        ]),
      ]),
    )
    .orderBy('id')
    .forUpdate()
    .execute();
  for (const row of rows) {
    byId.set(row.id, row);
    if (row.status === 'open') byKey.set(row.group_key, row);
  }
  return { byId, byKey };
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

/** Which of the drifts are remembered as resolved. */
export async function resolvedAmong(db: Kysely<Database>, orgId: number, driftEventIds: readonly number[]): Promise<Set<number>> {
  if (driftEventIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('notification_resolved_drifts')
    .select('drift_event_id')
    .where('organization_id', '=', orgId)
    .where('drift_event_id', '=', sql<number>`ANY(${sql.val([...new Set(driftEventIds)])}::int[])`)
    .execute();
  return new Set(rows.map((r) => r.drift_event_id));
}
