import type { EventHandler } from '@driftguard/bus';
import { writeAudit, type Database } from '@driftguard/db';
import { closeOpen, lockDrift } from '../recommendations.queries.js';

/**
 * `dg.drift.resolved.v1.<org>.<env>`: the drift is closed, so its open recommendation expires.
 * Nothing open (never analysed yet, or decided already) changes nothing; an analysis arriving
 * later finds the drift resolved and leaves nothing open either.
 */
export function driftResolvedV1(): EventHandler<'drift.resolved.v1', Database> {
  return async (event, { tx, log }) => {
    const { driftEventId, resolvedAt, resolvedBy, resolutionType } = event.data;
    await lockDrift(tx, driftEventId);
    const expired = await closeOpen(tx, driftEventId, 'expired');
    if (expired === undefined) {
      log.debug({ driftEventId }, 'no open recommendation to expire');
      return;
    }
    await writeAudit(tx, {
      organizationId: event.orgId,
      action: 'recommendation.expired',
      resourceType: 'recommendation',
      resourceId: expired,
      newValues: { driftEventId, resolvedAt, resolvedBy, resolutionType },
    });
    log.info({ driftEventId, recommendationId: expired }, 'recommendation expired: drift resolved');
  };
}
