import { createHash } from 'node:crypto';
import { enqueue } from '@driftguard/bus';
import type { DriftAnalyzedV1, DriftDetectedV1 } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import type { Transaction } from 'kysely';
import type { ActiveCauseModel } from '../cause/active-cause-model.js';
import { analyzeCause, type CauseAnalysis } from '../cause/cause.analyzer.js';
import type { CauseInput } from '../cause/cause-input.js';
import { signalsInWindow } from '../context/context-signals.queries.js';
import { buildCauseInput } from '../correlation/cause-input.build.js';
import { correlate } from '../correlation/correlate.js';
import { correlationWindow, inWindow } from '../correlation/correlation-window.js';
import {
  earlierValues,
  environmentCauseHistory,
  lastInSyncAt,
  writeCorrelations,
  writeDriftScores,
  type DriftWithEnvironment,
} from '../correlation/drift-analysis.queries.js';
import { environmentProfile } from '../correlation/environment-profile.js';
import { ENVIRONMENT_WIDE, resourceMatchKeys } from '../correlation/signal-match.js';
import type { CauseModel } from '../ml/cause-model.js';
import { upsertDriftCause } from '../ml/drift-cause-analysis.queries.js';
import { recordCausePrediction } from '../ml/ml-predictions.queries.js';
import { assessRisk, priorityOf, severityOf } from '../risk/risk.assess.js';
import { analyzedEvent } from './analyzed-event.build.js';
import { fitAnalyzedEvent } from './analyzed-event.fit.js';
import { causeHistory, fieldManagersOf, revertedToEarlierValue } from './drift-history.js';

/** Version of the correlation, risk and cause logic; drift.analyzed carries it as `logicVersion`. */
export const LOGIC_VERSION = 'analysis-2';

export interface AnalyzeDeps {
  subjectRoot: string;
  /** The registry's active cause model; rules decide while there is none. */
  model: ActiveCauseModel;
  /** Look-back when the environment sets none and no in-sync scan is known. */
  lookBackMs: number;
  /** Environments' drift history by cause, reused for a while (it moves slowly); none: read per drift. */
  history?: HistoryCache;
  /** What an event body must stay under (the bus's `eventBudgetBytes`); 256 KiB when absent. */
  eventBudgetBytes?: () => number;
}

const DEFAULT_EVENT_BUDGET_BYTES = 256 * 1024;

/** Each environment's drift history by cause, kept `ttlMs` after it was read. */
export interface HistoryCache {
  get(environmentId: number, read: () => Promise<Record<string, number>>): Promise<Record<string, number>>;
}

export function createHistoryCache(ttlMs: number): HistoryCache {
  const entries = new Map<number, { at: number; counts: Record<string, number> }>();
  return {
    async get(environmentId, read) {
      const hit = entries.get(environmentId);
      if (hit && Date.now() - hit.at < ttlMs) return hit.counts;
      const counts = await read();
      entries.set(environmentId, { at: Date.now(), counts });
      return counts;
    },
  };
}

interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** SHA-256 of the changes as drift.detected carried them: equal changes, equal digests. */
export function changesDigest(changes: DriftDetectedV1['data']['changes']): string {
  return createHash('sha256').update(JSON.stringify(changes)).digest('hex');
}

/**
 * Analyzes one drift (locked by the caller) as version `version`: correlates it with the signals
 * of its window, scores its risk, decides its cause, writes the analysis tables and enqueues
 * drift.analyzed, all in the caller's transaction.
 */
export async function analyzeDrift(
  tx: Transaction<Database>,
  deps: AnalyzeDeps,
  drift: DriftWithEnvironment & { organization_id: number; environment_id: number },
  data: DriftDetectedV1['data'],
  version: number,
  log: Logger,
): Promise<DriftAnalyzedV1['data']> {
  const now = new Date();
  const profile = environmentProfile(drift, deps.lookBackMs);
  const observedAt = new Date(data.observedAt ?? data.detectedAt);
  const scope = { orgId: drift.organization_id, envId: drift.environment_id };
  const paths = data.changes.map((c) => c.path);
  const inSyncAt = await lastInSyncAt(tx, drift, observedAt);
  const readHistory = () => environmentCauseHistory(tx, drift.environment_id, drift.id);
  const history = deps.history ? await deps.history.get(drift.environment_id, readHistory) : await readHistory();
  const earlier = await earlierValues(tx, drift, paths);
  const window = correlationWindow(observedAt, inSyncAt, profile.lookBackMs);
  const candidates = { everywhere: ENVIRONMENT_WIDE, keys: resourceMatchKeys(data.resource) };
  const signals = (await signalsInWindow(tx, scope, { from: window.searchFrom, to: window.end }, candidates)).filter((s) =>
    inWindow(s, window, now),
  );
  const correlated = correlate(data.resource, observedAt, signals);
  const { input, attribution } = buildCauseInput(data, observedAt, correlated, {
    analyzedAt: now,
    timeZone: profile.timeZone,
    iacPrincipals: profile.iacPrincipals,
    history: causeHistory(history),
    revertedToEarlierValue: revertedToEarlierValue(data.changes, earlier),
    fieldManagers: fieldManagersOf(drift.metadata, paths),
  });
  const { analysis, modelId } = await decideCause(tx, deps.model, input, log);
  const risk = assessRisk(data, profile.summary.production);
  const severity = severityOf(risk, data.changes.length);

  const built = analyzedEvent({
    data,
    observedAt,
    profile,
    correlated,
    attribution,
    analysis,
    risk,
    severity,
    priority: priorityOf(severity),
    version,
    logicVersion: LOGIC_VERSION,
    now,
  });
  const analyzed = fitAnalyzedEvent(built, deps.eventBudgetBytes?.() ?? DEFAULT_EVENT_BUDGET_BYTES);
  await writeCorrelations(tx, drift.id, correlated, { replace: version > 1 });
  await upsertDriftCause(
    tx,
    drift.id,
    analysis,
    {
      temporal: {
        ...analyzed.temporal,
        observedAt: observedAt.toISOString(),
        changedAt: input.changedAt ? new Date(input.changedAt).toISOString() : null,
        window: {
          start: window.start.toISOString(),
          end: window.end.toISOString(),
          inSyncAt: window.inSyncAt?.toISOString() ?? null,
        },
        correlatedSignals: correlated.length,
        revertedToEarlierValue: input.revertedToEarlierValue ?? false,
      },
      attribution: analyzed.attribution ? { ...analyzed.attribution } : { principal: null, principalKind: 'unknown' },
    },
    { version, window: { start: window.start, end: window.end }, changesDigest: changesDigest(data.changes), detected: data },
  );
  await recordCausePrediction(tx, drift.id, modelId, analysis);
  await writeDriftScores(tx, drift.id, { severity, confidence: analysis.confidence, risk });
  await enqueue(tx, 'drift.analyzed.v1', drift.organization_id, drift.environment_id, analyzed, {
    subjectRoot: deps.subjectRoot,
  });
  log.info({ driftEventId: drift.id, version, cause: analysis.cause, severity, correlated: correlated.length }, 'drift analyzed');
  return analyzed;
}

/** The active model's answer, or the rules' when there is no model or it cannot be loaded: analysis never waits on training. */
async function decideCause(
  tx: Transaction<Database>,
  model: ActiveCauseModel,
  input: CauseInput,
  log: Logger,
): Promise<{ analysis: CauseAnalysis; modelId: number | null }> {
  let active: { id: number; model: CauseModel } | null = null;
  try {
    active = await model.get(tx);
  } catch (err) {
    log.warn({ err }, 'active cause model could not be loaded; deciding by rules');
  }
  return { analysis: analyzeCause(input, active?.model ?? null), modelId: active?.id ?? null };
}
