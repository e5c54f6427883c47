import type { Database } from '@driftguard/db';
import { PermanentError, type EventHandler } from '@driftguard/bus';
import { resolveDrifts } from '../lifecycle/drift-lifecycle.js';

/**
 * An engineer's verdict on a drift (`dg.cmd.drift.resolve.v1.<org>.<env>`): closes it with the
 * resolution type and, when given, the confirmed cause, which analysis learns from. Resolving a
 * drift already closed changes nothing; one of another tenant is refused.
 */
export function cmdDriftResolveV1(deps: { subjectRoot: string }): EventHandler<'cmd.drift.resolve.v1', Database> {
  return async (event, { tx, log }) => {
    const { data } = event;
    const drift = await tx
      .selectFrom('drift_events')
      .innerJoin('environments', 'environments.id', 'drift_events.environment_id')
      .select(['drift_events.id', 'drift_events.resolved_at', 'drift_events.environment_id', 'environments.organization_id'])
      .where('drift_events.id', '=', data.driftEventId)
      // Only the drift is locked: ingest may not lock the api's environments rows.
      .forUpdate('drift_events')
      .executeTakeFirst();
    if (!drift || drift.organization_id !== event.orgId || drift.environment_id !== event.envId) {
      throw new PermanentError(
        `drift ${data.driftEventId} does not exist in environment ${event.envId} of organization ${event.orgId}`,
      );
    }
    if (drift.resolved_at) {
      log.info({ driftEventId: drift.id }, 'drift already resolved; nothing to do');
      return;
    }
    await resolveDrifts(tx, { orgId: event.orgId, envId: event.envId, subjectRoot: deps.subjectRoot }, [drift], {
      by: 'command',
      reason: 'command',
      resolutionType: data.resolutionType,
      ...(data.confirmedCause ? { confirmedCause: data.confirmedCause } : {}),
      ...(data.actor ? { actor: data.actor } : {}),
      ...(data.note ? { note: data.note } : {}),
    });
  };
}
