import type { JsonObject, Database } from '@driftguard/db';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Recommendation } from './recommendation/recommend.js';

/** Arbitrary first key of the advisory locks serializing the recommender's work on one drift. */
const DRIFT_LOCK_CLASS = 0x44475245;

/**
 * Serializes the messages of one drift (analysed, resolved, analysed again) until the
 * transaction ends, so the one-open-recommendation rule is kept without retries.
 */
export async function lockDrift(tx: Transaction<Database>, driftEventId: number): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${DRIFT_LOCK_CLASS}, ${driftEventId})`.execute(tx);
}

/**
 * Takes the drifts' locks (as {@link lockDrift}), in id order so two batches sharing drifts
 * cannot deadlock, and reads what the recommender checks against the messages: each drift's
 * environment, declared resource and resolution (drift_events is ingest's, read-only here).
 * A drift that does not exist is absent from the map.
 */
export async function lockDriftsAndRead(tx: Transaction<Database>, driftEventIds: readonly number[]) {
  const ids = [...new Set(driftEventIds)].sort((a, b) => a - b);
  if (ids.length === 0) return new Map<number, never>();
  const { rows } = await sql<{
    id: number;
    environment_id: number | null;
    resolved_at: Date | null;
    iac_resource_id: number | null;
  }>`
    WITH locked AS MATERIALIZED (
      SELECT u.id, pg_advisory_xact_lock(${DRIFT_LOCK_CLASS}, u.id) FROM unnest(${sql.val(ids)}::int[]) WITH ORDINALITY AS u(id, n) ORDER BY u.n
    )
    SELECT d.id, d.environment_id, d.resolved_at, d.iac_resource_id FROM locked JOIN drift_events d ON d.id = locked.id`.execute(
    tx,
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/** For each drift, the recommendation made from its newest analysis, whatever its status. */
export async function newestRecommendations(tx: Transaction<Database>, driftEventIds: readonly number[]) {
  const newest = new Map<number, { id: number; analysis_version: number; status: string }>();
  if (driftEventIds.length === 0) return newest;
  const rows = await tx
    .selectFrom('recommendations')
    .distinctOn('drift_event_id')
    .select(['id', 'drift_event_id', 'analysis_version', 'status'])
    .where('drift_event_id', '=', sql<number>`ANY(${sql.val([...new Set(driftEventIds)])}::int[])`)
    .orderBy('drift_event_id')
    .orderBy('analysis_version', 'desc')
    .execute();
  for (const r of rows) if (r.drift_event_id !== null) newest.set(r.drift_event_id, r);
  return newest;
}

export async function openRecommendation(tx: Transaction<Database>, driftEventId: number) {
  return tx
    .selectFrom('recommendations')
    .select(['id', 'analysis_version'])
    .where('drift_event_id', '=', driftEventId)
    .where('status', '=', 'open')
    .executeTakeFirst();
}

/** Closes the drift's open recommendation as superseded or expired; returns its id. */
export async function closeOpen(
  tx: Transaction<Database>,
  driftEventId: number,
  status: 'superseded' | 'expired',
): Promise<number | undefined> {
  const closed = await closeOpenOf(tx, [{ driftEventId, status }]);
  return closed.get(driftEventId);
}

/** Closes each drift's open recommendation as superseded or expired, in one statement; returns their ids by drift. */
export async function closeOpenOf(
  tx: Transaction<Database>,
  drifts: readonly { driftEventId: number; status: 'superseded' | 'expired' }[],
): Promise<Map<number, number>> {
  const closed = new Map<number, number>();
  if (drifts.length === 0) return closed;
  const { rows } = await sql<{ id: number; drift_event_id: number }>`
    UPDATE recommendations r SET status = c.status, status_changed_at = now()
    FROM jsonb_to_recordset(${JSON.stringify(drifts.map((d) => ({ drift: d.driftEventId, status: d.status })))}::jsonb)
      AS c(drift int, status text)
    WHERE r.drift_event_id = c.drift AND r.status = 'open'
    RETURNING r.id, r.drift_event_id`.execute(tx);
  for (const r of rows) closed.set(r.drift_event_id, r.id);
  return closed;
}

/** Points each superseded recommendation at the one that replaced it, in one statement. */
export async function setSupersededBy(tx: Transaction<Database>, pairs: readonly { id: number; by: number }[]): Promise<void> {
  if (pairs.length === 0) return;
  await sql`
    UPDATE recommendations r SET superseded_by = p.by
    FROM jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) AS p(id int, by int)
    WHERE r.id = p.id`.execute(tx);
}

/**
 * `recommendations.risk_assessment` in the data model's words (success_probability,
 * potential_impacts, blast_radius); the events carry the same in the contracts' camelCase.
 */
function storedRisk(risk: Recommendation['riskAssessment']): JsonObject {
  return {
    success_probability: risk.successProbability,
    potential_impacts: risk.potentialImpacts,
    blast_radius: risk.blastRadius,
  };
}

/** A recommendation to store: open, or expired when its drift is already resolved. */
export type NewRecommendation = Recommendation & {
  driftEventId: number;
  analysisVersion: number;
  status: 'open' | 'expired';
  recommendedBy: string;
};

/** Stores recommendations, one statement for all (a drift at most once); returns each one's id and creation time by drift. */
export async function insertRecommendations(
  tx: Transaction<Database>,
  recs: readonly NewRecommendation[],
): Promise<Map<number, { id: number; createdAt: Date }>> {
  const stored = new Map<number, { id: number; createdAt: Date }>();
  if (recs.length === 0) return stored;
  const rows = await tx
    .insertInto('recommendations')
    .values(
      recs.map((r) => ({
        drift_event_id: r.driftEventId,
        recommendation_type: r.recommendationType,
        priority: r.priority,
        confidence_score: r.confidenceScore.toFixed(2),
        rationale: r.rationale,
        implementation_steps: JSON.stringify(r.steps),
        risk_assessment: JSON.stringify(storedRisk(r.riskAssessment)),
        estimated_effort: r.estimatedEffort,
        recommended_by: r.recommendedBy,
        expires_at: r.expiresAt,
        status: r.status,
        status_changed_at: r.status === 'expired' ? sql<Date>`now()` : null,
        analysis_version: r.analysisVersion,
        policy_source: r.policy.source,
        policy_version: r.policy.version,
        policy_rule: r.policy.rule,
      })),
    )
    .returning(['id', 'drift_event_id', 'created_at'])
    .execute();
  for (const row of rows)
    if (row.drift_event_id !== null) stored.set(row.drift_event_id, { id: row.id, createdAt: row.created_at ?? new Date() });
  return stored;
}

/** A recommendation with the environment of its drift, locked for a decision. */
export async function recommendationForDecision(tx: Transaction<Database>, id: number) {
  return tx
    .selectFrom('recommendations')
    .innerJoin('drift_events', 'drift_events.id', 'recommendations.drift_event_id')
    .select([
      'recommendations.id',
      'recommendations.status',
      'recommendations.drift_event_id',
      'recommendations.decided_at',
      'drift_events.environment_id',
    ])
    .where('recommendations.id', '=', id)
    .forUpdate('recommendations')
    .executeTakeFirst();
}

export type DecisionStatus = 'accepted' | 'rejected' | 'implemented';

/** Records an engineer's or executor's answer. The first decision's time stays `decided_at`. */
export async function recordDecision(
  tx: Transaction<Database>,
  id: number,
  d: { status: DecisionStatus; actor: string; reason?: string; result?: JsonObject; at: Date; firstDecision: boolean },
): Promise<void> {
  await tx
    .updateTable('recommendations')
    .set({
      status: d.status,
      status_changed_at: d.at,
      decided_by: d.actor,
      ...(d.firstDecision ? { decided_at: d.at } : {}),
      ...(d.reason !== undefined ? { decision_reason: d.reason } : {}),
      ...(d.result !== undefined ? { implementation_result: JSON.stringify(d.result), implemented_at: d.at } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** Adoption of an environment's recommendations decided on one UTC day. */
export interface AdoptionOfDay {
  /** recommendations accepted, rejected or implemented that day */
  decided: number;
  /** of those, accepted or implemented */
  adopted: number;
  /** adopted / decided, 4 decimals (drift_metrics_daily.recommendation_adoption_rate); null with no decision */
  rate: number | null;
}

/**
 * `drift_metrics_daily.recommendation_adoption_rate` of one environment and UTC day (`YYYY-MM-DD`):
 * of the recommendations first decided that day, the share accepted or implemented. Superseded
 * and expired recommendations nobody answered are not counted: no one judged them. The api's
 * daily rollup calls this.
 */
export async function recommendationAdoption(db: Kysely<Database>, envId: number, day: string): Promise<AdoptionOfDay> {
  const row = await db
    .selectFrom('recommendations')
    .innerJoin('drift_events', 'drift_events.id', 'recommendations.drift_event_id')
    .select((eb) => [
      eb.fn.countAll<string>().as('decided'),
      eb.fn
        .count<string>('recommendations.id')
        .filterWhere('recommendations.status', 'in', ['accepted', 'implemented'])
        .as('adopted'),
    ])
    .where('drift_events.environment_id', '=', envId)
    .where('recommendations.status', 'in', ['accepted', 'rejected', 'implemented'])
    .where('recommendations.decided_at', '>=', sql<Date>`${day}::date::timestamp AT TIME ZONE 'UTC'`)
    .where('recommendations.decided_at', '<', sql<Date>`(${day}::date + 1)::timestamp AT TIME ZONE 'UTC'`)
    .executeTakeFirstOrThrow();
  const decided = Number(row.decided);
  const adopted = Number(row.adopted);
  return { decided, adopted, rate: decided === 0 ? null : Math.round((adopted / decided) * 10_000) / 10_000 };
}

/** Organizations with an open recommendation past its expiry: every tenant's, through migration 0022's function. */
export async function organizationsWithExpiring(db: Kysely<Database>): Promise<number[]> {
  const { rows } = await sql<{ organization_id: number }>`SELECT * FROM dg_recommender_expiring_organizations()`.execute(db);
  return rows.map((r) => r.organization_id);
}

/**
 * Expires, in the caller's transaction, up to `limit` open recommendations whose `expires_at` has
 * passed, of the organization in scope. Rows another transaction holds (a newer analysis
 * superseding it, an answer, another sweep) are skipped, and the status is checked again on the
 * row itself, so each recommendation leaves `open` once, whoever gets there first.
 */
export async function expireDue(
  tx: Transaction<Database>,
  limit: number,
): Promise<{ id: number; drift_event_id: number | null; expires_at: Date | null }[]> {
  const due = tx
    .selectFrom('recommendations')
    .select('id')
    .where('status', '=', 'open')
    .where('expires_at', '<=', sql<Date>`now()`)
    .orderBy('expires_at')
    .limit(limit)
    .forUpdate()
    .skipLocked();
  return tx
    .updateTable('recommendations')
    .set({ status: 'expired', status_changed_at: sql`now()` })
    .where('id', 'in', due)
    .where('status', '=', 'open')
    .returning(['id', 'drift_event_id', 'expires_at'])
    .execute();
}
