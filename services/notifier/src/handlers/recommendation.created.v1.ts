import type { EventHandler } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import { itemFromRecommendation } from '../alert/stored-item.js';
import { admitItem, openItemOfDrift, type GroupingOptions } from '../grouping/grouping.js';
import { wasResolved } from '../grouping/notification-groups.queries.js';

/**
 * `dg.recommendation.created.v1.<org>.<env>`: the complete alert of a drift (drift, analysis,
 * recommendation) joins its environment's notification group. A drift already paged in degraded
 * mode is amended in place, so the full alert follows as an update of the same message. A drift
 * resolved meanwhile is left resolved.
 */
export function recommendationCreatedV1(opts: GroupingOptions): EventHandler<'recommendation.created.v1', Database> {
  return async (event, { tx, log }) => {
    const scope = { orgId: event.orgId, envId: event.envId };
    const existing = await openItemOfDrift(tx, scope.orgId, event.data.driftEventId);
    if (existing?.resolved || (await wasResolved(tx, scope.orgId, event.data.driftEventId))) return;
    const item = itemFromRecommendation(event.data, event.occurredAt, existing?.item);
    const group = await admitItem(tx, scope, item, opts, existing?.groupId);
    log.info({ driftEventId: item.driftEventId, groupId: group.id, priority: item.priority }, 'drift queued for notification');
  };
}
