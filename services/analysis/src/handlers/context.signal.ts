import { PermanentError, type HandlerMeta } from '@driftguard/bus';
import { DriftDetectedV1Data, type ContextKind, type ContextSignalV1Data } from '@driftguard/contracts';
import type { ContextSignal, Database } from '@driftguard/db';
import type { Transaction } from 'kysely';
import { analyzeDrifts, type AnalyzeDeps } from '../analysis/drift.analyze.js';
import { storeContextSignal } from '../context/context-signals.queries.js';
import { inWindow } from '../correlation/correlation-window.js';
import { LASTING_KINDS as LASTING } from '../correlation/signal-facts.js';
import { driftsWithEnvironment } from '../correlation/drift-analysis.queries.js';
import { matchSignal } from '../correlation/signal-match.js';
import { analysesAround, latestAnalysesOf } from '../ml/drift-cause-analysis.queries.js';

interface ContextEnvelope {
  orgId: number;
  envId: number;
  data: ContextSignalV1Data;
}

/** A signal arriving this long after a drift's first analysis still re-analyzes it. */
export const LATE_SIGNAL_MS = 3600_000;
/** Drifts one signal may re-analyze in its message (an environment-wide incident matches every recent drift). */
const MAX_REANALYSES = 100;

/**
 * The body every `dg.context.<kind>.v1` handler shares: keeps the signal in context_signals in the
 * message's transaction, so it is stored exactly when the message is recorded as processed. A
 * signal whose body names another kind than its subject is refused: it would be matched wrongly.
 *
 * A signal that is new (or changed) and falls in the correlation window of drifts first analyzed
 * within the last hour, and relates to them, re-analyzes each: a new drift.analyzed with the
 * next analysis version (CloudTrail delivers minutes late, webhooks are retried).
 */
export function storeSignalOf(kind: ContextKind, deps?: AnalyzeDeps) {
  return async (event: ContextEnvelope, { tx, log }: Pick<HandlerMeta<Database>, 'tx' | 'log'>): Promise<void> => {
    if (event.data.kind !== kind) {
      throw new PermanentError(`a context.${kind} event carries a ${event.data.kind} signal`);
    }
    const stored = await storeContextSignal(tx, { orgId: event.orgId, envId: event.envId }, event.data);
    log.debug(
      { kind, source: event.data.externalSystem, sourceId: event.data.externalId, stored: stored !== null },
      'context signal',
    );
    if (stored && deps) await reanalyzeWith(tx, deps, stored, log);
  };
}

async function reanalyzeWith(
  tx: Transaction<Database>,
  deps: AnalyzeDeps,
  signal: ContextSignal,
  log: Pick<HandlerMeta<Database>, 'log'>['log'],
): Promise<void> {
  const now = new Date();
  const candidates = await analysesAround(
    tx,
    { orgId: signal.organization_id, environmentId: signal.environment_id },
    signal.occurred_at,
    { since: new Date(now.getTime() - LATE_SIGNAL_MS), lasting: LASTING.has(signal.context_type), limit: MAX_REANALYSES },
  );
  const concerned = candidates.flatMap((c) => {
    const detected = DriftDetectedV1Data.safeParse(c.detected);
    if (!detected.success || c.drift_event_id === null || c.window_start === null || c.window_end === null) return [];
    if (!matchSignal(signal, detected.data.resource)) return [];
    // The window the drift was analyzed over must take the signal (a lasting one from before it, if open inside it).
    const window = { start: c.window_start, end: c.window_end, searchFrom: new Date(0), inSyncAt: null };
    return inWindow(signal, window, now) ? [{ id: c.drift_event_id, detected: detected.data }] : [];
  });
  if (concerned.length === 0) return;
  const drifts = new Map(
    (
      await driftsWithEnvironment(
        tx,
        concerned.map((c) => c.id),
      )
    ).map((d) => [d.id, d]),
  );
  const latest = await latestAnalysesOf(tx, [...drifts.keys()]);
  await analyzeDrifts(
    tx,
    deps,
    concerned.flatMap(({ id, detected }) => {
      const drift = drifts.get(id);
      const last = latest.get(id);
      if (!drift || !last || drift.organization_id === null || drift.environment_id === null) return [];
      const located = { ...drift, organization_id: drift.organization_id, environment_id: drift.environment_id };
      return [{ drift: located, data: detected, version: last.analysis_version + 1 }];
    }),
    log,
  );
}
