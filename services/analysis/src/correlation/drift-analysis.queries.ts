import type { Database } from '@driftguard/db';
import type { Kysely } from 'kysely';
import type { RiskAssessment } from '../risk/risk.assess.js';
import type { CorrelatedSignal } from './correlate.js';

/** The drift and its environment, the drift locked for this analysis (only its score columns are analysis's to write). */
export async function driftWithEnvironment(db: Kysely<Database>, driftEventId: number) {
  return (
    db
      .selectFrom('drift_events')
      .innerJoin('environments', 'environments.id', 'drift_events.environment_id')
      .select([
        'drift_events.id',
        'drift_events.environment_id',
        'environments.organization_id',
        'environments.name',
        'environments.slug',
        'environments.tags',
      ])
      .where('drift_events.id', '=', driftEventId)
      // Serializes two deliveries of one drift under different envelope ids: the second waits, then
      // finds the analysis. Only the drift is locked; environments belong to the api.
      .forUpdate('drift_events')
      .executeTakeFirst()
  );
}

/** Whether the drift has been analyzed already (a drift.detected delivered again under another id). */
export async function isAnalyzed(db: Kysely<Database>, driftEventId: number): Promise<boolean> {
  const row = await db
    .selectFrom('drift_cause_analysis')
    .select('id')
    .where('drift_event_id', '=', driftEventId)
    .executeTakeFirst();
  return row !== undefined;
}

const OPERATIONAL = ['incident', 'deployment', 'maintenance', 'security_event'] as const;
type Operational = (typeof OPERATIONAL)[number];
const isOperational = (kind: string): kind is Operational => (OPERATIONAL as readonly string[]).includes(kind);

/**
 * Writes the correlated signals (correlation_events) and, for incidents, deployments, maintenance
 * and security events, the operational context around the drift.
 */
export async function writeCorrelations(db: Kysely<Database>, driftEventId: number, correlated: readonly CorrelatedSignal[]) {
  if (correlated.length === 0) return;
  const offset = (ms: number) => `${Math.round(ms / 1000)} seconds`;
  await db
    .insertInto('correlation_events')
    .values(
      correlated.map((c) => ({
        drift_event_id: driftEventId,
        correlation_type: `${c.signal.context_type}:${c.match}`,
        external_id: c.signal.external_id,
        external_system: c.signal.external_system,
        event_data: JSON.stringify({
          occurredAt: c.signal.occurred_at.toISOString(),
          actor: c.signal.actor,
          resourceRefs: c.signal.resource_refs,
          data: c.signal.data,
        }),
        correlation_score: c.score.toFixed(2),
        temporal_offset: offset(c.offsetMs),
      })),
    )
    .execute();
  const operational = correlated.flatMap((c) => {
    const kind = c.signal.context_type;
    return isOperational(kind) ? [{ ...c, kind }] : [];
  });
  if (operational.length === 0) return;
  await db
    .insertInto('operational_context')
    .values(
      operational.map((c) => ({
        drift_event_id: driftEventId,
        context_type: c.kind,
        context_data: JSON.stringify({
          source: c.signal.external_system,
          sourceId: c.signal.external_id,
          summary: c.summary ?? null,
          link: c.link ?? null,
          score: c.score,
        }),
        incident_impact: c.score >= 0.7 ? 'high' : c.score >= 0.4 ? 'medium' : 'low',
        time_window: offset(c.offsetMs),
      })),
    )
    .execute();
}

/** Writes the score columns analysis owns on drift_events. */
export async function writeDriftScores(
  db: Kysely<Database>,
  driftEventId: number,
  scores: { severity: number; confidence: number; risk: RiskAssessment },
): Promise<void> {
  await db
    .updateTable('drift_events')
    .set({
      severity_score: scores.severity.toFixed(2),
      confidence_score: scores.confidence.toFixed(2),
      risk_assessment: JSON.stringify(scores.risk),
    })
    .where('id', '=', driftEventId)
    .execute();
}
