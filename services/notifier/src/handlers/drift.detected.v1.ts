import type { BatchEventHandler } from '@driftguard/bus';
import type { EnvironmentSummary } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import { itemFromDetected } from '../alert/stored-item.js';
import { environmentSummary } from '../grouping/environments.queries.js';
import { admitItems, inRounds, type GroupingOptions } from '../grouping/grouping.js';

/**
 * `dg.drift.detected.v1.<org>.<env>` (degraded mode): a security-critical drift is queued with
 * what ingest knows, to page after the analysis wait if analysis and the recommender have not
 * answered by then, saying that analysis is pending. Other drifts wait for their recommendation.
 * Set-based per organization.
 */
export function driftDetectedV1(opts: GroupingOptions): BatchEventHandler<'drift.detected.v1', Database> {
  return (items, tx, log) =>
    inRounds(
      tx,
      items.filter((i) => i.event.data.isSecurityCritical),
      async (round, { orgId, existing, resolved }) => {
        // A drift in an open group already: its recommendation (or an earlier delivery) came first.
        const waiting = round.filter((i) => !existing.has(i.event.data.driftEventId) && !resolved.has(i.event.data.driftEventId));
        const environments = new Map<number, EnvironmentSummary | null>();
        for (const { event } of waiting)
          if (!environments.has(event.envId)) environments.set(event.envId, await environmentSummary(tx, event.envId));
        const queued = waiting.map(({ event }) => ({
          envId: event.envId,
          item: itemFromDetected(event.data, environments.get(event.envId) ?? null),
        }));
        const groups = await admitItems(tx, orgId, queued, opts);
        log.info(
          { drifts: queued.map(({ item }) => ({ driftEventId: item.driftEventId, groupId: groups.get(item.driftEventId)?.id })) },
          'security-critical drifts queued ahead of their analysis',
        );
      },
    );
}
