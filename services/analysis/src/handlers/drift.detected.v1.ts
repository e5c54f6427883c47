import { enqueue, PermanentError, type EventHandler } from '@driftguard/bus';
import { ContextKind, type DriftAnalyzedV1 } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import { analyzeCause, type CauseAnalysis } from '../cause/cause.analyzer.js';
import type { CauseInput } from '../cause/cause-input.js';
import { signalsInWindow } from '../context/context-signals.queries.js';
import { buildCauseInput } from '../correlation/cause-input.build.js';
import { correlate } from '../correlation/correlate.js';
import { driftWithEnvironment, isAnalyzed, writeCorrelations, writeDriftScores } from '../correlation/drift-analysis.queries.js';
import type { ActiveCauseModel } from '../cause/active-cause-model.js';
import { upsertDriftCause } from '../ml/drift-cause-analysis.queries.js';
import { recordCausePrediction } from '../ml/ml-predictions.queries.js';
import { assessRisk, isProduction, priorityOf, severityOf } from '../risk/risk.assess.js';
import type { Transaction } from 'kysely';
import type { CauseModel } from '../ml/cause-model.js';

/** Version of the correlation, risk and cause logic; drift.analyzed carries it. */
export const ANALYSIS_VERSION = 'analysis-1';

export interface DriftDetectedDeps {
  subjectRoot: string;
  /** The registry's active cause model; rules decide while there is none. */
  model: ActiveCauseModel;
  /** How far before the observation signals are correlated (default 24 h). */
  lookBackMs?: number;
}

/**
 * `dg.drift.detected.v1.<org>.<env>`: correlates the drift with the context signals of the
 * look-back window before its observation, scores its severity and risk, decides its probable
 * cause (the active model, else the rules) and publishes drift.analyzed, all in the message's
 * transaction. A drift analyzed already is left as it is.
 */
export function driftDetectedV1(deps: DriftDetectedDeps): EventHandler<'drift.detected.v1', Database> {
  const lookBackMs = deps.lookBackMs ?? 24 * 3600_000;
  return async (event, { tx, log }) => {
    const { data } = event;
    const drift = await driftWithEnvironment(tx, data.driftEventId);
    if (!drift || drift.organization_id !== event.orgId || drift.environment_id !== event.envId) {
      throw new PermanentError(
        `drift ${data.driftEventId} does not exist in environment ${event.envId} of organization ${event.orgId}`,
      );
    }
    if (await isAnalyzed(tx, drift.id)) {
      log.info({ driftEventId: drift.id }, 'drift already analyzed; nothing to do');
      return;
    }
    const observedAt = new Date(data.observedAt ?? data.detectedAt);
    const scope = { orgId: event.orgId, envId: event.envId };
    const signals = await signalsInWindow(tx, scope, { from: new Date(observedAt.getTime() - lookBackMs), to: observedAt });
    const correlated = correlate(data.resource, observedAt, signals);
    const { input, attribution } = buildCauseInput(data, observedAt, correlated);
    const { analysis, modelId } = await decideCause(tx, deps.model, input, log);

    const risk = assessRisk(data, isProduction(drift));
    const severity = severityOf(risk, data.changes.length);
    await writeCorrelations(tx, drift.id, correlated);
    await upsertDriftCause(tx, drift.id, analysis, {
      temporal: { observedAt: observedAt.toISOString(), correlatedSignals: correlated.length },
      ...(attribution
        ? {
            attribution: {
              principal: attribution.actor.principal,
              userAgent: attribution.actor.userAgent,
              source: attribution.source,
            },
          }
        : {}),
    });
    await recordCausePrediction(tx, drift.id, modelId, analysis);
    await writeDriftScores(tx, drift.id, { severity, confidence: analysis.confidence, risk });

    const analyzed: DriftAnalyzedV1['data'] = {
      driftEventId: drift.id,
      severityScore: severity,
      confidenceScore: analysis.confidence,
      priority: priorityOf(severity),
      cause: { category: analysis.cause, confidence: analysis.confidence },
      riskAssessment: { ...risk },
      drift: {
        driftType: data.driftType,
        resource: data.resource,
        changedPaths: input.changedPaths,
        observedAt: observedAt.toISOString(),
      },
      causeDetail: {
        method: analysis.method,
        ...(analysis.modelVersion ? { modelVersion: analysis.modelVersion } : {}),
        ...(analysis.rule ? { rule: analysis.rule.id } : {}),
        evidence: analysis.evidence.slice(0, 5),
      },
      attribution: attribution
        ? {
            principal: attribution.actor.principal,
            userAgent: attribution.actor.userAgent ?? null,
            source: attribution.source,
            sourceId: attribution.sourceId,
          }
        : null,
      correlated: correlated.slice(0, 20).flatMap((c) => {
        const kind = ContextKind.safeParse(c.signal.context_type);
        if (!kind.success) return [];
        return [
          {
            kind: kind.data,
            source: c.signal.external_system,
            sourceId: c.signal.external_id,
            occurredAt: c.signal.occurred_at.toISOString(),
            match: c.match,
            score: c.score,
            ...(c.summary !== undefined ? { summary: c.summary } : {}),
            ...(c.link !== undefined ? { link: c.link } : {}),
          },
        ];
      }),
      analysisVersion: 1,
      logicVersion: ANALYSIS_VERSION,
    };
    await enqueue(tx, 'drift.analyzed.v1', event.orgId, event.envId, analyzed, { subjectRoot: deps.subjectRoot });
    log.info({ driftEventId: drift.id, cause: analysis.cause, severity, correlated: correlated.length }, 'drift analyzed');
  };
}

/** The active model's answer, or the rules' when there is no model or it cannot be loaded: analysis never waits on training. */
async function decideCause(
  tx: Transaction<Database>,
  model: ActiveCauseModel,
  input: CauseInput,
  log: { warn(obj: object, msg: string): void },
): Promise<{ analysis: CauseAnalysis; modelId: number | null }> {
  let active: { id: number; model: CauseModel } | null = null;
  try {
    active = await model.get(tx);
  } catch (err) {
    log.warn({ err }, 'active cause model could not be loaded; deciding by rules');
  }
  return { analysis: analyzeCause(input, active?.model ?? null), modelId: active?.id ?? null };
}
