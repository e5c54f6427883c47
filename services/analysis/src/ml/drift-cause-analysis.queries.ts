import type { CauseCategory } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import { sql, type Kysely } from 'kysely';
import type { CauseAnalysis } from '../cause/cause.analyzer.js';

/** What an analysis was built from and when, kept with it for re-analysis. */
export interface AnalysisRecord {
  version: number;
  window: { start: Date; end: Date };
  changesDigest: string;
  /** The drift.detected data analyzed. */
  detected: unknown;
}

/** One drift's cause as an analysis decided it, with what it was built from. */
export interface DriftCause {
  driftEventId: number;
  analysis: CauseAnalysis;
  extra?: { temporal?: Record<string, unknown>; attribution?: Record<string, unknown> };
  record?: AnalysisRecord;
}

/**
 * Writes the cause of each drift (one row per drift: `UNIQUE (drift_event_id)`), replacing an
 * earlier analysis, so a redelivered or re-analyzed drift never gets two. `contributing_factors`
 * holds the evidence and the contributions (or the rule), `temporal_context` the timing
 * (the contract's TemporalContext plus the model's timing features), `user_attribution` who
 * changed the resource and through what. `first_analyzed_at` keeps the first analysis's time.
 * One statement for the causes with a record and one for those without; a drift at most once.
 */
export async function upsertDriftCauses(db: Kysely<Database>, causes: readonly DriftCause[]): Promise<void> {
  const now = new Date();
  const rows = causes.map(({ driftEventId, analysis, extra = {}, record }) => {
    const f = analysis.features;
    const factors = [
      ...analysis.evidence.map((e) => ({ kind: 'evidence', description: e })),
      ...analysis.contributions.map((c) => ({
        kind: 'model_contribution',
        group: c.group,
        delta: Math.round(c.delta * 1000) / 1000,
      })),
      ...(analysis.rule ? [{ kind: 'rule', id: analysis.rule.id, description: analysis.rule.description }] : []),
    ];
    return {
      drift_event_id: driftEventId,
      first_analyzed_at: now,
      cause_category: analysis.cause,
      confidence_score: analysis.confidence.toFixed(2),
      contributing_factors: JSON.stringify(factors),
      temporal_context: JSON.stringify({
        method: analysis.method,
        modelVersion: analysis.modelVersion ?? null,
        incidentActive: f.incident_active === 1,
        alertActive: f.alert_active === 1,
        deploymentActive: f.deploy_active === 1,
        maintenanceActive: f.maint_active === 1,
        hour: f.hour,
        weekend: f.weekend === 1,
        holiday: f.holiday === 1,
        ...extra.temporal,
      }),
      user_attribution: JSON.stringify({ commitTouchedDeclaringFile: f.commit_touched_file === 1, ...extra.attribution }),
      analyzed_at: now,
      ...(record
        ? {
            analysis_version: record.version,
            window_start: record.window.start,
            window_end: record.window.end,
            changes_digest: record.changesDigest,
            detected: JSON.stringify(record.detected),
          }
        : {}),
    };
  });
  for (const recorded of [true, false]) {
    const group = rows.filter((r) => 'analysis_version' in r === recorded);
    if (group.length === 0) continue;
    await db
      .insertInto('drift_cause_analysis')
      .values(group)
      .onConflict((oc) =>
        oc.column('drift_event_id').doUpdateSet((eb) => ({
          cause_category: eb.ref('excluded.cause_category'),
          confidence_score: eb.ref('excluded.confidence_score'),
          contributing_factors: eb.ref('excluded.contributing_factors'),
          temporal_context: eb.ref('excluded.temporal_context'),
          user_attribution: eb.ref('excluded.user_attribution'),
          analyzed_at: eb.ref('excluded.analyzed_at'),
          first_analyzed_at: sql<Date>`coalesce(drift_cause_analysis.first_analyzed_at, excluded.first_analyzed_at)`,
          ...(recorded
            ? {
                analysis_version: eb.ref('excluded.analysis_version'),
                window_start: eb.ref('excluded.window_start'),
                window_end: eb.ref('excluded.window_end'),
                changes_digest: eb.ref('excluded.changes_digest'),
                detected: eb.ref('excluded.detected'),
              }
            : {}),
        })),
      )
      .execute();
  }
}

/** {@link upsertDriftCauses} for one drift. */
export async function upsertDriftCause(
  db: Kysely<Database>,
  driftEventId: number,
  analysis: CauseAnalysis,
  extra: DriftCause['extra'] = {},
  record?: AnalysisRecord,
): Promise<void> {
  await upsertDriftCauses(db, [{ driftEventId, analysis, extra, ...(record ? { record } : {}) }]);
}

/**
 * Each drift's latest analysis: its version and the digest of the changes it analyzed; none
 * before the first (a row holding only a confirmed cause is no analysis).
 */
export async function latestAnalysesOf(
  db: Kysely<Database>,
  driftEventIds: readonly number[],
): Promise<Map<number, { analysis_version: number; changes_digest: string | null }>> {
  if (driftEventIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('drift_cause_analysis')
    .select(['drift_event_id', 'analysis_version', 'changes_digest'])
    .where('drift_event_id', '=', sql<number>`ANY(${sql.val([...new Set(driftEventIds)])}::int[])`)
    .where('first_analyzed_at', 'is not', null)
    .execute();
  const latest = new Map<number, { analysis_version: number; changes_digest: string | null }>();
  for (const r of rows) if (r.drift_event_id !== null) latest.set(r.drift_event_id, r);
  return latest;
}

/**
 * Drifts of an organization (of `environmentId`, when given) first analyzed since `since` whose
 * correlation window holds `at` (or, for a lasting signal, ends after it: an incident opened
 * before the window may still be open inside it): those a signal of that time may change.
 */
export async function analysesAround(
  db: Kysely<Database>,
  scope: { orgId: number; environmentId: number | null },
  at: Date,
  opts: { since: Date; lasting: boolean; limit: number },
) {
  let q = db
    .selectFrom('drift_cause_analysis as a')
    .innerJoin('drift_events as d', 'd.id', 'a.drift_event_id')
    .innerJoin('environments as e', 'e.id', 'd.environment_id')
    .select(['a.drift_event_id', 'a.detected', 'a.window_start', 'a.window_end', 'd.environment_id'])
    .where('e.organization_id', '=', scope.orgId)
    .where('a.first_analyzed_at', '>=', opts.since)
    .where('a.window_end', '>=', at)
    .where('a.detected', 'is not', null);
  if (!opts.lasting) q = q.where('a.window_start', '<=', at);
  if (scope.environmentId !== null) q = q.where('d.environment_id', '=', scope.environmentId);
  return q.orderBy('a.drift_event_id').limit(opts.limit).execute();
}

/**
 * Records the cause an engineer confirmed for a drift, the label `dg ml train` learns from. A
 * drift never analyzed gets a row of its own (cause `unknown`) so the label is not lost.
 */
export async function recordConfirmedCause(
  db: Kysely<Database>,
  driftEventId: number,
  cause: CauseCategory,
  confirmedAt: Date,
): Promise<void> {
  await db
    .insertInto('drift_cause_analysis')
    .values({
      drift_event_id: driftEventId,
      cause_category: 'unknown',
      confidence_score: '0.00',
      confirmed_cause: cause,
      confirmed_at: confirmedAt,
    })
    .onConflict((oc) =>
      oc.column('drift_event_id').doUpdateSet({
        confirmed_cause: sql<CauseCategory>`excluded.confirmed_cause`,
        confirmed_at: sql<Date>`excluded.confirmed_at`,
      }),
    )
    .execute();
}
