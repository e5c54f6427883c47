import { createHash } from 'node:crypto';
import { enqueue } from '@driftguard/bus';
import type { DriftAnalyzedV1, DriftDetectedV1 } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import type { Transaction } from 'kysely';
import type { ActiveCauseModel } from '../cause/active-cause-model.js';
import { analyzeCause } from '../cause/cause.analyzer.js';
import { signalsInWindows } from '../context/context-signals.queries.js';
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
import { upsertDriftCauses } from '../ml/drift-cause-analysis.queries.js';
import { recordCausePredictions } from '../ml/ml-predictions.queries.js';
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

/** A drift (locked by the caller) to analyze as `version` from what drift.detected said of it. */
export interface DriftToAnalyze {
  drift: DriftWithEnvironment & { organization_id: number; environment_id: number };
  data: DriftDetectedV1['data'];
  version: number;
}

/**
 * Analyzes drifts, each locked by the caller and named once: correlates each with the signals of
 * its window, scores its risk, decides its cause, writes the analysis tables and enqueues
 * drift.analyzed, all in the caller's transaction. Each read and write is one statement for all
 * the drifts, so a batch costs about what one drift does.
 */
export async function analyzeDrifts(
  tx: Transaction<Database>,
  deps: AnalyzeDeps,
  drifts: readonly DriftToAnalyze[],
  log: Logger,
): Promise<DriftAnalyzedV1['data'][]> {
  if (drifts.length === 0) return [];
  const now = new Date();
  const asked = drifts.map((d) => ({
    ...d,
    profile: environmentProfile(d.drift, deps.lookBackMs),
    observedAt: new Date(d.data.observedAt ?? d.data.detectedAt),
    paths: d.data.changes.map((c) => c.path),
  }));
  const inSync = await lastInSyncAt(
    tx,
    asked.map((a) => ({ drift: a.drift, before: a.observedAt })),
  );
  const earlier = await earlierValues(
    tx,
    asked.map((a) => ({ drift: a.drift, paths: a.paths })),
  );
  const windows = asked.map((a, i) => correlationWindow(a.observedAt, inSync[i] ?? null, a.profile.lookBackMs));
  const found = await signalsInWindows(
    tx,
    asked.map((a, i) => ({
      orgId: a.drift.organization_id,
      envId: a.drift.environment_id,
      from: windows[i]!.searchFrom,
      to: windows[i]!.end,
      keys: resourceMatchKeys(a.data.resource),
    })),
    ENVIRONMENT_WIDE,
  );
  const histories = new Map<number, Record<string, number>>();
  for (const { drift } of asked) {
    if (histories.has(drift.environment_id)) continue;
    const read = () => environmentCauseHistory(tx, drift.environment_id, drift.id);
    histories.set(drift.environment_id, deps.history ? await deps.history.get(drift.environment_id, read) : await read());
  }
  const active = await activeModel(tx, deps.model, log);

  const analyses = asked.map((a, i) => {
    const { drift, data, observedAt, profile, paths } = a;
    const window = windows[i]!;
    const signals = found[i]!.filter((s) => inWindow(s, window, now));
    const correlated = correlate(data.resource, observedAt, signals);
    const { input, attribution } = buildCauseInput(data, observedAt, correlated, {
      analyzedAt: now,
      timeZone: profile.timeZone,
      iacPrincipals: profile.iacPrincipals,
      history: causeHistory(histories.get(drift.environment_id) ?? {}),
      revertedToEarlierValue: revertedToEarlierValue(data.changes, earlier[i]!),
      fieldManagers: fieldManagersOf(drift.metadata, paths),
    });
    const analysis = analyzeCause(input, active?.model ?? null);
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
      version: a.version,
      logicVersion: LOGIC_VERSION,
      now,
    });
    const analyzed = fitAnalyzedEvent(built, deps.eventBudgetBytes?.() ?? DEFAULT_EVENT_BUDGET_BYTES);
    return { ...a, window, correlated, input, analysis, risk, severity, analyzed };
  });

  await writeCorrelations(
    tx,
    analyses.map((a) => ({ driftEventId: a.drift.id, correlated: a.correlated, replace: a.version > 1 })),
  );
  await upsertDriftCauses(
    tx,
    analyses.map(({ drift, data, analysis, analyzed, observedAt, input, window, correlated, version }) => ({
      driftEventId: drift.id,
      analysis,
      extra: {
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
      record: {
        version,
        window: { start: window.start, end: window.end },
        changesDigest: changesDigest(data.changes),
        detected: data,
      },
    })),
  );
  await recordCausePredictions(
    tx,
    analyses.map((a) => ({ driftEventId: a.drift.id, modelId: active?.id ?? null, analysis: a.analysis })),
  );
  await writeDriftScores(
    tx,
    analyses.map((a) => ({ driftEventId: a.drift.id, severity: a.severity, confidence: a.analysis.confidence, risk: a.risk })),
  );
  for (const { drift, analyzed } of analyses)
    await enqueue(tx, 'drift.analyzed.v1', drift.organization_id, drift.environment_id, analyzed, {
      subjectRoot: deps.subjectRoot,
    });
  log.info(
    {
      drifts: analyses.map((a) => ({
        driftEventId: a.drift.id,
        version: a.version,
        cause: a.analysis.cause,
        severity: a.severity,
        correlated: a.correlated.length,
      })),
    },
    'drifts analyzed',
  );
  return analyses.map((a) => a.analyzed);
}

/** The active cause model, or none when there is none or it cannot be loaded: analysis never waits on training, the rules decide. */
async function activeModel(
  tx: Transaction<Database>,
  model: ActiveCauseModel,
  log: Logger,
): Promise<{ id: number; model: CauseModel } | null> {
  try {
    return await model.get(tx);
  } catch (err) {
    log.warn({ err }, 'active cause model could not be loaded; deciding by rules');
    return null;
  }
}
