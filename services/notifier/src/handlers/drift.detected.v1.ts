import type { EventHandler } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import { itemFromDetected } from '../alert/stored-item.js';
import { environmentSummary } from '../grouping/environments.queries.js';
import { admitItem, openItemOfDrift, type GroupingOptions } from '../grouping/grouping.js';
import { wasResolved } from '../grouping/notification-groups.queries.js';

/**
 * `dg.drift.detected.v1.<org>.<env>` (degraded mode): a security-critical drift is queued with
 * what ingest knows, to page after the analysis wait if analysis and the recommender have not
 * answered by then, saying that analysis is pending. Other drifts wait for their recommendation.
 */
export function driftDetectedV1(opts: GroupingOptions): EventHandler<'drift.detected.v1', Database> {
  return async (event, { tx, log }) => {
    if (!event.data.isSecurityCritical) return;
    const existing = await openItemOfDrift(tx, event.orgId, event.data.driftEventId);
    if (existing) return; // its recommendation (or an earlier delivery) came first
    if (await wasResolved(tx, event.orgId, event.data.driftEventId)) return;
    const item = itemFromDetected(event.data, await environmentSummary(tx, event.envId));
    const group = await admitItem(tx, { orgId: event.orgId, envId: event.envId }, item, opts);
    log.info({ driftEventId: item.driftEventId, groupId: group.id }, 'security-critical drift queued ahead of its analysis');
  };
}
