import { roundsBy, type BatchEventHandler, type BatchItem, type HandlerMeta } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import type { Transaction } from 'kysely';
import { itemFromRecommendation } from '../alert/stored-item.js';
import { admitItems, organizationsOf, openItemsOfDrifts, type GroupingOptions } from '../grouping/grouping.js';
import { resolvedAmong } from '../grouping/notification-groups.queries.js';

type Item = BatchItem<'recommendation.created.v1', Database>;

/**
 * `dg.recommendation.created.v1.<org>.<env>`: the complete alert of each drift (drift, analysis,
 * recommendation) joins its environment's notification group, set-based per organization. A
 * drift already paged in degraded mode is amended in place, so the full alert follows as an
 * update of the same message. A drift resolved meanwhile is left resolved. A drift recommended
 * twice in one batch is admitted a second time over the first.
 */
export function recommendationCreatedV1(opts: GroupingOptions): BatchEventHandler<'recommendation.created.v1', Database> {
  return async (items, tx, log) => {
    for (const scoped of organizationsOf(items))
      for (const round of roundsBy(scoped, (i) => i.event.data.driftEventId)) await admitRound(tx, opts, round, log);
  };
}

async function admitRound(
  tx: Transaction<Database>,
  opts: GroupingOptions,
  round: readonly Item[],
  log: HandlerMeta<Database>['log'],
): Promise<void> {
  const orgId = round[0]!.event.orgId;
  const ids = round.map((i) => i.event.data.driftEventId);
  const existing = await openItemsOfDrifts(tx, orgId, ids);
  const resolved = await resolvedAmong(tx, orgId, ids);
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
}
