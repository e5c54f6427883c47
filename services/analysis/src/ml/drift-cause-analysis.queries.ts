import type { Database } from '@driftguard/db';
import type { Kysely } from 'kysely';
import type { CauseAnalysis } from '../cause/cause.analyzer.js';

/**
 * Writes the cause of a drift (one row per drift: `UNIQUE (drift_event_id)`), replacing an
 * earlier analysis, so a redelivered or re-analyzed drift never gets two. `contributing_factors`
 * holds the evidence and the contributions (or the rule), `temporal_context` the timing
 * features, `user_attribution` the actor features; callers may add their own detail to the last two.
 */
export async function upsertDriftCause(
  db: Kysely<Database>,
  driftEventId: number,
  analysis: CauseAnalysis,
  extra: { temporal?: Record<string, unknown>; attribution?: Record<string, unknown> } = {},
): Promise<number> {
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
  const values = {
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
    analyzed_at: new Date(),
  };
  const row = await db
    .insertInto('drift_cause_analysis')
    .values({ drift_event_id: driftEventId, ...values })
    .onConflict((oc) => oc.column('drift_event_id').doUpdateSet(values))
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
