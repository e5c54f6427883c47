import type { Database } from '@driftguard/db';
import { sql, type Kysely } from 'kysely';
import type { RiskAssessment } from '../risk/risk.assess.js';
import type { CorrelatedSignal } from './correlate.js';

/** The drifts and their environments, the drifts locked for this analysis (only their score columns are analysis's to write). */
export async function driftsWithEnvironment(db: Kysely<Database>, driftEventIds: readonly number[]) {
  if (driftEventIds.length === 0) return [];
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
      .where('drift_events.id', '=', sql<number>`ANY(${sql.val([...new Set(driftEventIds)])}::int[])`)
      // Serializes two deliveries of one drift under different envelope ids: the second waits, then
      // finds the analysis. Locked in id order, so two batches sharing drifts cannot deadlock.
      // Only the drifts are locked; environments belong to the api.
      .orderBy('drift_events.id')
      .forUpdate('drift_events')
      .execute()
  );
}

export type DriftWithEnvironment = Awaited<ReturnType<typeof driftsWithEnvironment>>[number];

/** How far back a known in-sync scan is believed: older ones bound the window here. */
const MAX_IN_SYNC_AGE = '30 days';

/** A drift to look back from, and the time it was observed. */
export interface DriftAt {
  drift: Pick<DriftWithEnvironment, 'id' | 'environment_id' | 'resource_key' | 'scan_id'>;
  before: Date;
}

/**
 * For each drift, when a scan last saw its resource in sync before `before`, or null when no scan
 * is known to have: an earlier drift of the resource closed because a scan saw it in sync, or the
 * latest completed full scan of the same format before the drift's own scan while no drift of the
 * resource was open (it showed the resource without drift). One statement for all of them.
 */
export async function lastInSyncAt(db: Kysely<Database>, drifts: readonly DriftAt[]): Promise<(Date | null)[]> {
  const asked = drifts.flatMap(({ drift, before }, i) =>
    drift.resource_key === null || drift.environment_id === null
      ? []
      : [
          {
            i,
            id: drift.id,
            env: drift.environment_id,
            key: drift.resource_key,
            scan: drift.scan_id,
            before: before.toISOString(),
          },
        ],
  );
  const found: (Date | null)[] = drifts.map(() => null);
  if (asked.length === 0) return found;
  const { rows } = await sql<{ i: number; at: Date | null }>`
    SELECT w.i, greatest(
      (SELECT max(d.resolved_at) FROM drift_events d
        WHERE d.environment_id = w.env AND d.resource_key = w.key AND d.id <> w.id
          AND d.metadata->'resolution'->>'reason' = 'in_sync'
          AND d.resolved_at <= w.before AND d.resolved_at > w.before - ${MAX_IN_SYNC_AGE}::interval),
      (SELECT max(s.submitted_at) FROM scans s
        WHERE w.scan IS NOT NULL
          AND s.environment_id = w.env AND s.status = 'completed' AND s.is_full AND s.id <> w.scan
          AND s.format = (SELECT format FROM scans WHERE id = w.scan)
          AND s.submitted_at < w.before AND s.submitted_at > w.before - ${MAX_IN_SYNC_AGE}::interval
          AND NOT EXISTS (SELECT 1 FROM drift_events o
            WHERE o.environment_id = w.env AND o.resource_key = w.key AND o.id <> w.id
              AND o.detected_at <= coalesce(s.completed_at, s.submitted_at)
              AND (o.resolved_at IS NULL OR o.resolved_at > coalesce(s.completed_at, s.submitted_at))))
    ) AS at
    FROM jsonb_to_recordset(${JSON.stringify(asked)}::jsonb)
      AS w(i int, id int, env int, key text, scan uuid, before timestamptz)`.execute(db);
  for (const r of rows) found[r.i] = r.at;
  return found;
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

/** An earlier drift's declared and actual value on one path. */
export interface EarlierValue {
  path: string;
  declared: unknown;
  actual: unknown;
}

/**
 * For each drift, the declared and actual values earlier drifts of the same resource had on the
 * given paths (newest first, bounded per drift). One statement for all of them.
 */
export async function earlierValues(
  db: Kysely<Database>,
  drifts: readonly { drift: Pick<DriftWithEnvironment, 'id' | 'environment_id' | 'resource_key'>; paths: readonly string[] }[],
): Promise<EarlierValue[][]> {
  const asked = drifts.flatMap(({ drift, paths }, i) =>
    drift.resource_key === null || drift.environment_id === null || paths.length === 0
      ? []
      : [{ i, id: drift.id, env: drift.environment_id, key: drift.resource_key, paths }],
  );
  const found: EarlierValue[][] = drifts.map(() => []);
  if (asked.length === 0) return found;
  const { rows } = await sql<{ i: number; property_path: string; declared_value: unknown; actual_value: unknown }>`
    SELECT w.i, e.property_path, e.declared_value, e.actual_value
    FROM jsonb_to_recordset(${JSON.stringify(asked)}::jsonb) AS w(i int, id int, env int, key text, paths text[])
    CROSS JOIN LATERAL (
      SELECT c.property_path, c.declared_value, c.actual_value
      FROM drift_changes c JOIN drift_events d ON d.id = c.drift_event_id
      WHERE d.environment_id = w.env AND d.resource_key = w.key AND d.id < w.id
        AND c.is_sensitive = false AND c.property_path = ANY (w.paths)
      ORDER BY d.id DESC LIMIT 200) e`.execute(db);
  for (const r of rows) found[r.i]!.push({ path: r.property_path, declared: r.declared_value, actual: r.actual_value });
  return found;
}

const OPERATIONAL = ['incident', 'deployment', 'maintenance', 'security_event'] as const;
type Operational = (typeof OPERATIONAL)[number];
const isOperational = (kind: string): kind is Operational => (OPERATIONAL as readonly string[]).includes(kind);

/** correlation_events rows kept per drift analysis, best first (drift.analyzed carries as many). */
export const STORED_CORRELATIONS = 20;

/** What one drift's analysis correlated, and whether it replaces an earlier analysis's. */
export interface DriftCorrelations {
  driftEventId: number;
  correlated: readonly CorrelatedSignal[];
  replace: boolean;
}

/**
 * Writes the correlated signals (correlation_events) and, for incidents, deployments, maintenance
 * and security events, the operational context around each drift, replacing an earlier
 * analysis's: a statement per table for all the drifts.
 */
export async function writeCorrelations(db: Kysely<Database>, drifts: readonly DriftCorrelations[]) {
  // A re-analysis replaces what the previous one found.
  const replaced = drifts.filter((d) => d.replace).map((d) => d.driftEventId);
  if (replaced.length > 0) {
    const ids = sql<number>`ANY(${sql.val(replaced)}::int[])`;
    await db.deleteFrom('correlation_events').where('drift_event_id', '=', ids).execute();
    await db.deleteFrom('operational_context').where('drift_event_id', '=', ids).execute();
  }
  const offset = (ms: number) => `${Math.round(ms / 1000)} seconds`;
  // The best matches are kept as rows; the signal's own body stays in context_signals (one copy,
  // found by external system and id), so a noisy day does not copy every alert into every drift.
  const stored = drifts.flatMap((d) =>
    d.correlated.slice(0, STORED_CORRELATIONS).map((c) => ({ driftEventId: d.driftEventId, c })),
  );
  if (stored.length === 0) return;
  // One JSON parameter for all the rows: a few thousand bound values per batch cost more to
  // build and send than the rows themselves.
  const rows = stored.map(({ driftEventId, c }) => ({
    drift: driftEventId,
    type: `${c.signal.context_type}:${c.match}`,
    id: c.signal.external_id,
    system: c.signal.external_system,
    data: {
      signalId: c.signal.id,
      occurredAt: c.signal.occurred_at.toISOString(),
      actor: c.signal.actor,
      resourceRefs: c.signal.resource_refs,
      match: c.match,
      summary: c.summary ?? null,
      link: c.link ?? null,
    },
    score: c.score.toFixed(2),
    offset: offset(c.offsetMs),
  }));
  await sql`
    INSERT INTO correlation_events
      (drift_event_id, correlation_type, external_id, external_system, event_data, correlation_score, temporal_offset)
    SELECT r.drift, r.type, r.id, r.system, r.data, r.score, r."offset"
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS r(drift int, type text, id text, system text, data jsonb, score numeric, "offset" interval)`.execute(db);
  const operational = stored.flatMap(({ driftEventId, c }) => {
    const kind = c.signal.context_type;
    return isOperational(kind) ? [{ driftEventId, c, kind }] : [];
  });
  if (operational.length === 0) return;
  await db
    .insertInto('operational_context')
    .values(
      operational.map(({ driftEventId, c, kind }) => ({
        drift_event_id: driftEventId,
        context_type: kind,
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

/** The score columns analysis owns on one drift. */
export interface DriftScores {
  driftEventId: number;
  severity: number;
  confidence: number;
  risk: RiskAssessment;
}

/** Writes the score columns analysis owns on drift_events, for all the drifts in one statement. */
export async function writeDriftScores(db: Kysely<Database>, scores: readonly DriftScores[]): Promise<void> {
  if (scores.length === 0) return;
  const rows = scores.map((s) => ({
    id: s.driftEventId,
    severity: s.severity.toFixed(2),
    confidence: s.confidence.toFixed(2),
    risk: s.risk,
  }));
  await sql`
    UPDATE drift_events d SET severity_score = v.severity, confidence_score = v.confidence, risk_assessment = v.risk
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(id int, severity numeric, confidence numeric, risk jsonb)
    WHERE d.id = v.id`.execute(db);
}
