import type { Database } from '@driftguard/db';
import { sql, type Kysely } from 'kysely';
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
        'drift_events.resource_key',
        'drift_events.scan_id',
        'drift_events.metadata',
        'environments.organization_id',
        'environments.name',
        'environments.slug',
        'environments.tags',
        'environments.cloud_provider',
        'environments.account_id',
        'environments.region',
      ])
      .where('drift_events.id', '=', driftEventId)
      // Serializes two deliveries of one drift under different envelope ids: the second waits, then
      // finds the analysis. Only the drift is locked; environments belong to the api.
      .forUpdate('drift_events')
      .executeTakeFirst()
  );
}

export type DriftWithEnvironment = NonNullable<Awaited<ReturnType<typeof driftWithEnvironment>>>;

/** How far back a known in-sync scan is believed: older ones bound the window here. */
const MAX_IN_SYNC_AGE = '30 days';

/**
 * When a scan last saw the drifted resource in sync before `before`, or null when no scan is known
 * to have: an earlier drift of the resource closed because a scan saw it in sync, or the latest
 * completed full scan of the same format before the drift's own scan while no drift of the
 * resource was open (it showed the resource without drift).
 */
export async function lastInSyncAt(
  db: Kysely<Database>,
  drift: Pick<DriftWithEnvironment, 'id' | 'environment_id' | 'resource_key' | 'scan_id'>,
  before: Date,
): Promise<Date | null> {
  if (drift.resource_key === null || drift.environment_id === null) return null;
  const env = drift.environment_id;
  const key = drift.resource_key;
  const { rows } = await sql<{ at: Date | null }>`
    SELECT greatest(
      (SELECT max(d.resolved_at) FROM drift_events d
        WHERE d.environment_id = ${env} AND d.resource_key = ${key} AND d.id <> ${drift.id}
          AND d.metadata->'resolution'->>'reason' = 'in_sync'
          AND d.resolved_at <= ${before} AND d.resolved_at > ${before}::timestamptz - ${MAX_IN_SYNC_AGE}::interval),
      (SELECT max(s.submitted_at) FROM scans s
        WHERE ${drift.scan_id}::uuid IS NOT NULL
          AND s.environment_id = ${env} AND s.status = 'completed' AND s.is_full AND s.id <> ${drift.scan_id}::uuid
          AND s.format = (SELECT format FROM scans WHERE id = ${drift.scan_id}::uuid)
          AND s.submitted_at < ${before} AND s.submitted_at > ${before}::timestamptz - ${MAX_IN_SYNC_AGE}::interval
          AND NOT EXISTS (SELECT 1 FROM drift_events o
            WHERE o.environment_id = ${env} AND o.resource_key = ${key} AND o.id <> ${drift.id}
              AND o.detected_at <= coalesce(s.completed_at, s.submitted_at)
              AND (o.resolved_at IS NULL OR o.resolved_at > coalesce(s.completed_at, s.submitted_at))))
    ) AS at`.execute(db);
  return rows[0]?.at ?? null;
}

/** How many of the environment's drifts of the last 90 days had each cause (the confirmed one, else the analysed). */
export async function environmentCauseHistory(
  db: Kysely<Database>,
  environmentId: number,
  excludeDriftId: number,
): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('drift_cause_analysis as a')
    .innerJoin('drift_events as d', 'd.id', 'a.drift_event_id')
    .select([sql<string>`coalesce(a.confirmed_cause, a.cause_category)`.as('cause'), sql<number>`count(*)::int`.as('n')])
    .where('d.environment_id', '=', environmentId)
    .where('d.id', '<>', excludeDriftId)
    .where('d.detected_at', '>', sql<Date>`now() - interval '90 days'`)
    .groupBy(sql`coalesce(a.confirmed_cause, a.cause_category)`)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.cause, r.n]));
}

/** The declared and actual values earlier drifts of the same resource had on the given paths (newest first, bounded). */
export async function earlierValues(
  db: Kysely<Database>,
  drift: Pick<DriftWithEnvironment, 'id' | 'environment_id' | 'resource_key'>,
  paths: readonly string[],
): Promise<{ path: string; declared: unknown; actual: unknown }[]> {
  if (drift.resource_key === null || drift.environment_id === null || paths.length === 0) return [];
  const rows = await db
    .selectFrom('drift_changes as c')
    .innerJoin('drift_events as d', 'd.id', 'c.drift_event_id')
    .select(['c.property_path', 'c.declared_value', 'c.actual_value'])
    .where('d.environment_id', '=', drift.environment_id)
    .where('d.resource_key', '=', drift.resource_key)
    .where('d.id', '<', drift.id)
    .where('c.is_sensitive', '=', false)
    .where('c.property_path', 'in', [...paths])
    .orderBy('d.id', 'desc')
    .limit(200)
    .execute();
  return rows.map((r) => ({ path: r.property_path, declared: r.declared_value, actual: r.actual_value }));
}

const OPERATIONAL = ['incident', 'deployment', 'maintenance', 'security_event'] as const;
type Operational = (typeof OPERATIONAL)[number];
const isOperational = (kind: string): kind is Operational => (OPERATIONAL as readonly string[]).includes(kind);

/**
 * Writes the correlated signals (correlation_events) and, for incidents, deployments, maintenance
 * and security events, the operational context around the drift, replacing an earlier analysis's.
 */
/** correlation_events rows kept per drift analysis, best first (drift.analyzed carries as many). */
export const STORED_CORRELATIONS = 20;

export async function writeCorrelations(
  db: Kysely<Database>,
  driftEventId: number,
  correlated: readonly CorrelatedSignal[],
  opts: { replace: boolean },
) {
  // A re-analysis replaces what the previous one found.
  if (opts.replace) {
    await db.deleteFrom('correlation_events').where('drift_event_id', '=', driftEventId).execute();
    await db.deleteFrom('operational_context').where('drift_event_id', '=', driftEventId).execute();
  }
  if (correlated.length === 0) return;
  const offset = (ms: number) => `${Math.round(ms / 1000)} seconds`;
  // The best matches are kept as rows; the signal's own body stays in context_signals (one copy,
  // found by external system and id), so a noisy day does not copy every alert into every drift.
  const stored = correlated.slice(0, STORED_CORRELATIONS);
  await db
    .insertInto('correlation_events')
    .values(
      stored.map((c) => ({
        drift_event_id: driftEventId,
        correlation_type: `${c.signal.context_type}:${c.match}`,
        external_id: c.signal.external_id,
        external_system: c.signal.external_system,
        event_data: JSON.stringify({
          signalId: c.signal.id,
          occurredAt: c.signal.occurred_at.toISOString(),
          actor: c.signal.actor,
          resourceRefs: c.signal.resource_refs,
          match: c.match,
          summary: c.summary ?? null,
          link: c.link ?? null,
        }),
        correlation_score: c.score.toFixed(2),
        temporal_offset: offset(c.offsetMs),
      })),
    )
    .execute();
  const operational = stored.flatMap((c) => {
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
