import type { BatchEventHandler } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import { itemFromRecommendation } from '../alert/stored-item.js';
import { admitItems, inRounds, type GroupingOptions } from '../grouping/grouping.js';

/**
 * `dg.recommendation.created.v1.<org>.<env>`: the complete alert of each drift (drift, analysis,
 * recommendation) joins its environment's notification group, set-based per organization. A
 * drift already paged in degraded mode is amended in place, so the full alert follows as an
 * update of the same message. A drift resolved meanwhile is left resolved. A drift recommended
 * twice in one batch is admitted a second time over the first.
 */
export function recommendationCreatedV1(opts: GroupingOptions): BatchEventHandler<'recommendation.created.v1', Database> {
  return (items, tx, log) =>
    inRounds(tx, items, async (round, { orgId, existing, resolved }) => {
      const admitted = round.flatMap(({ event }) => {
        const open = existing.get(event.data.driftEventId);
        if (open?.resolved || resolved.has(event.data.driftEventId)) return [];
        const item = itemFromRecommendation(event.data, event.occurredAt, open?.item);
        return [{ envId: event.envId, item, existingGroupId: open?.groupId }];
      });
      const groups = await admitItems(tx, orgId, admitted, opts);
      log.info(
        {
          drifts: admitted.map(({ item }) => ({
            driftEventId: item.driftEventId,
            groupId: groups.get(item.driftEventId)?.id,
            priority: item.priority,
          })),
        },
        'drifts queued for notification',
      );
    });
}
