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
 * Takes the drift's lock (as {@link lockDrift}) and reads what the recommender checks against
 * the message, in one round trip: the drift's environment, declared resource and resolution
 * (drift_events is ingest's, read-only here). Undefined when the drift does not exist.
 */
export async function lockDriftAndRead(tx: Transaction<Database>, driftEventId: number) {
  return tx
    .selectFrom('drift_events')
    .select(['id', 'environment_id', 'resolved_at', 'iac_resource_id'])
    .select(sql<string>`pg_advisory_xact_lock(${DRIFT_LOCK_CLASS}, id)::text`.as('locked'))
    .where('id', '=', driftEventId)
    .executeTakeFirst();
}

/** The recommendation made from the newest analysis of a drift, whatever its status. */
export async function newestRecommendation(tx: Transaction<Database>, driftEventId: number) {
  return tx
    .selectFrom('recommendations')
    .select(['id', 'analysis_version', 'status'])
    .where('drift_event_id', '=', driftEventId)
    .orderBy('analysis_version', 'desc')
    .limit(1)
    .executeTakeFirst();
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
  const row = await tx
    .updateTable('recommendations')
    .set({ status, status_changed_at: sql`now()` })
    .where('drift_event_id', '=', driftEventId)
    .where('status', '=', 'open')
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function setSupersededBy(tx: Transaction<Database>, id: number, by: number): Promise<void> {
  await tx.updateTable('recommendations').set({ superseded_by: by }).where('id', '=', id).execute();
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

/** Stores a recommendation (open, or expired when its drift is already resolved); returns its id and creation time. */
export async function insertRecommendation(
  tx: Transaction<Database>,
  r: Recommendation & { driftEventId: number; analysisVersion: number; status: 'open' | 'expired'; recommendedBy: string },
): Promise<{ id: number; createdAt: Date }> {
  const row = await tx
    .insertInto('recommendations')
    .values({
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
      status_changed_at: r.status === 'expired' ? sql`now()` : null,
      analysis_version: r.analysisVersion,
      policy_source: r.policy.source,
      policy_version: r.policy.version,
      policy_rule: r.policy.rule,
    })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
  return { id: row.id, createdAt: row.created_at ?? new Date() };
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
