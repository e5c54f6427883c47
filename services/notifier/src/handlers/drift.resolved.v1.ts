import type { EventHandler } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import { lockGroup, rememberResolution, resolveItem, scheduleFlush } from '../grouping/notification-groups.queries.js';
import type { GroupingOptions } from '../grouping/grouping.js';

/**
 * `dg.drift.resolved.v1.<org>.<env>`: the drift is resolved in its notification group. When
 * nothing of the group is open any more, the group flushes at once: a resolution to every
 * channel that was told (PagerDuty resolve under the same dedup_key, the Slack message updated),
 * or nothing at all when nothing was notified. Otherwise the change goes out as an update after
 * group_interval. The resolution is remembered, so a recommendation arriving after it does not alert.
 */
export function driftResolvedV1(opts: Pick<GroupingOptions, 'groupIntervalMs'>): EventHandler<'drift.resolved.v1', Database> {
  return async (event, { tx, log }) => {
    await rememberResolution(tx, event.orgId, event.data.driftEventId, new Date(event.data.resolvedAt));
    const resolved = await resolveItem(tx, event.orgId, event.data.driftEventId, new Date(event.data.resolvedAt));
    if (!resolved) return;
    const now = new Date();
    if (resolved.openLeft === 0) await scheduleFlush(tx, resolved.groupId, now);
    else if (resolved.notified) {
      const group = await lockGroup(tx, resolved.groupId);
      const last = group.last_flushed_at?.getTime() ?? now.getTime();
      await scheduleFlush(tx, resolved.groupId, new Date(Math.max(now.getTime(), last + opts.groupIntervalMs)));
    }
    log.info(
      { driftEventId: event.data.driftEventId, groupId: resolved.groupId, openLeft: resolved.openLeft },
      'drift resolved in its group',
    );
  };
}
