import { PermanentError, type EventHandler } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import { analyzeDrift, changesDigest, type AnalyzeDeps } from '../analysis/drift.analyze.js';
import { driftWithEnvironment } from '../correlation/drift-analysis.queries.js';
import { latestAnalysisOf } from '../ml/drift-cause-analysis.queries.js';

export { LOGIC_VERSION } from '../analysis/drift.analyze.js';
export type DriftDetectedDeps = AnalyzeDeps;

/**
 * `dg.drift.detected.v1.<org>.<env>`: analyzes the drift (correlation over its window, risk,
 * cause) and publishes drift.analyzed, in the message's transaction. The first analysis is
 * version 1. drift.detected again with the same changes (a redelivery under any envelope) changes
 * nothing; with other changes, the drift is analyzed again as the next version.
 */
export function driftDetectedV1(deps: AnalyzeDeps): EventHandler<'drift.detected.v1', Database> {
  return async (event, { tx, log }) => {
    const { data } = event;
    // Locks the drift: two deliveries under different envelopes run one after the other.
    const drift = await driftWithEnvironment(tx, data.driftEventId);
    if (!drift || drift.organization_id !== event.orgId || drift.environment_id !== event.envId) {
      throw new PermanentError(
        `drift ${data.driftEventId} does not exist in environment ${event.envId} of organization ${event.orgId}`,
      );
    }
    // Read after the lock, in a statement of its own: a delivery that waited for the lock sees
    // the analysis the other one committed.
    const latest = await latestAnalysisOf(tx, drift.id);
    // An analysis from before digests were kept counts as one of these changes.
    if (latest && (latest.changes_digest === null || latest.changes_digest === changesDigest(data.changes))) {
      log.info({ driftEventId: drift.id, version: latest.analysis_version }, 'drift already analyzed; nothing to do');
      return;
    }
    const version = latest ? latest.analysis_version + 1 : 1;
    await analyzeDrift(tx, deps, { ...drift, organization_id: event.orgId, environment_id: event.envId }, data, version, log);
  };
}
