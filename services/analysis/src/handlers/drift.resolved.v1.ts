import type { EventHandler } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import { recordConfirmedCause } from '../ml/drift-cause-analysis.queries.js';

/**
 * `dg.drift.resolved.v1.<org>.<env>`: a cause an engineer confirmed on resolution becomes a
 * training label (`drift_cause_analysis.confirmed_cause`), which the next `dg ml train` learns
 * from. A resolution without one (a scan saw the resource in sync) changes nothing here.
 */
export const driftResolvedV1 =
  (): EventHandler<'drift.resolved.v1', Database> =>
  async (event, { tx, log }) => {
    const { data } = event;
    if (!data.confirmedCause) return;
    await recordConfirmedCause(tx, data.driftEventId, data.confirmedCause, new Date(data.resolvedAt));
    log.info({ driftEventId: data.driftEventId, cause: data.confirmedCause }, 'confirmed cause recorded as a label');
  };
