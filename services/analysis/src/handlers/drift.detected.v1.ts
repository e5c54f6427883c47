import { PermanentError, roundsBy, type BatchEventHandler } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import { analyzeDrifts, changesDigest, type AnalyzeDeps, type DriftToAnalyze } from '../analysis/drift.analyze.js';
import { driftsWithEnvironment } from '../correlation/drift-analysis.queries.js';
import { latestAnalysesOf } from '../ml/drift-cause-analysis.queries.js';

export { LOGIC_VERSION } from '../analysis/drift.analyze.js';
export type DriftDetectedDeps = AnalyzeDeps;

/**
 * `dg.drift.detected.v1.<org>.<env>`: analyzes the drifts (correlation over their windows, risk,
 * cause) and publishes drift.analyzed, in the messages' transaction, set-based: a batch of drifts
 * costs a few statements. The first analysis is version 1. drift.detected again with the same
 * changes (a redelivery under any envelope) changes nothing; with other changes, the drift is
 * analyzed again as the next version. A drift that does not exist where its event says fails
 * the batch; alone, it is dead-lettered.
 */
export function driftDetectedV1(deps: AnalyzeDeps): BatchEventHandler<'drift.detected.v1', Database> {
  return async (items, tx, log) => {
    // A drift named twice is analyzed a second time against the first analysis.
    for (const round of roundsBy(items, (i) => i.event.data.driftEventId)) {
      // Locks the drifts: two deliveries under different envelopes run one after the other.
      const drifts = new Map(
        (
          await driftsWithEnvironment(
            tx,
            round.map((i) => i.event.data.driftEventId),
          )
        ).map((d) => [d.id, d]),
      );
      // Read after the lock, in a statement of its own: a delivery that waited for the lock sees
      // the analysis the other one committed.
      const latest = await latestAnalysesOf(tx, [...drifts.keys()]);
      const toAnalyze: DriftToAnalyze[] = [];
      for (const { event, meta } of round) {
        const { data } = event;
        const drift = drifts.get(data.driftEventId);
        if (!drift || drift.organization_id !== event.orgId || drift.environment_id !== event.envId) {
          throw new PermanentError(
            `drift ${data.driftEventId} does not exist in environment ${event.envId} of organization ${event.orgId}`,
          );
        }
        const last = latest.get(drift.id);
        // An analysis from before digests were kept counts as one of these changes.
        if (last && (last.changes_digest === null || last.changes_digest === changesDigest(data.changes))) {
          meta.log.info({ driftEventId: drift.id, version: last.analysis_version }, 'drift already analyzed; nothing to do');
          continue;
        }
        toAnalyze.push({
          drift: { ...drift, organization_id: event.orgId, environment_id: event.envId },
          data,
          version: last ? last.analysis_version + 1 : 1,
        });
      }
      await analyzeDrifts(tx, deps, toAnalyze, log);
    }
  };
}
