import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from '@driftguard/db';

/*
 * The daily rollup of one organization's drift into drift_metrics_daily, per environment and
 * UTC day:
 * - total_drifts: drifts detected that day;
 * - resolved_drifts, avg_resolution_time: drifts resolved that day, and their mean time open;
 * - top_cause_categories: {category: count} of the cause analyses of the day's drifts;
 * - severity_distribution: {critical, high, medium, low, unscored} of the day's drifts
 *   (the analysis service's thresholds 0.8 / 0.55 / 0.3);
 * - recommendation_adoption_rate: see adoptionByEnvironment.
 */

/**
 * Recommendation adoption per environment for recommendations created in [lo, hi): adopted over
 * all. "Adopted" is `implemented_at IS NOT NULL`; once recommendations carry a decision status,
 * this is the one place to switch to accepted-or-implemented over decided.
 */
function adoptionByEnvironment(orgId: number, lo: RawBuilder<unknown>, hi: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`SELECT d.environment_id,
      round(count(*) FILTER (WHERE r.implemented_at IS NOT NULL)::numeric / count(*), 4) AS rate
    FROM recommendations r JOIN drift_events d ON d.id = r.drift_event_id
    WHERE d.environment_id IN (SELECT id FROM environments WHERE organization_id = ${orgId})
      AND r.created_at >= ${lo} AND r.created_at < ${hi}
    GROUP BY d.environment_id`;
}

/**
 * Computes the rollup of `day` (YYYY-MM-DD) for every environment of `orgId` with drift,
 * resolutions or recommendations that day, and upserts it. With `overwrite` false an existing
 * row is kept (days whose raw drift may already be gone). Returns the rows written.
 */
export async function rollupDay(tx: Transaction<Database>, orgId: number, day: string, overwrite: boolean): Promise<number> {
  const lo = sql`(${day}::date)::timestamp AT TIME ZONE 'UTC'`;
  const hi = sql`(${day}::date + 1)::timestamp AT TIME ZONE 'UTC'`;
  const envs = sql`(SELECT id FROM environments WHERE organization_id = ${orgId})`;
  const conflict = overwrite
    ? sql`DO UPDATE SET total_drifts = excluded.total_drifts, resolved_drifts = excluded.resolved_drifts,
        avg_resolution_time = excluded.avg_resolution_time, top_cause_categories = excluded.top_cause_categories,
        severity_distribution = excluded.severity_distribution,
        recommendation_adoption_rate = excluded.recommendation_adoption_rate`
    : sql`DO NOTHING`;
  const r = await sql`
    WITH detected AS (
      SELECT d.environment_id, count(*)::int AS total,
        jsonb_build_object(
          'critical', count(*) FILTER (WHERE d.severity_score >= 0.8),
          'high', count(*) FILTER (WHERE d.severity_score >= 0.55 AND d.severity_score < 0.8),
          'medium', count(*) FILTER (WHERE d.severity_score >= 0.3 AND d.severity_score < 0.55),
          'low', count(*) FILTER (WHERE d.severity_score < 0.3),
          'unscored', count(*) FILTER (WHERE d.severity_score IS NULL)) AS severity
      FROM drift_events d
      WHERE d.environment_id IN ${envs} AND d.detected_at >= ${lo} AND d.detected_at < ${hi}
      GROUP BY d.environment_id),
    resolved AS (
      SELECT d.environment_id, count(*)::int AS resolved, avg(d.resolved_at - d.detected_at) AS avg_time
      FROM drift_events d
      WHERE d.environment_id IN ${envs} AND d.resolved_at >= ${lo} AND d.resolved_at < ${hi}
      GROUP BY d.environment_id),
    causes AS (
      SELECT environment_id, jsonb_object_agg(cause_category, n) AS causes FROM (
        SELECT d.environment_id, a.cause_category, count(*)::int AS n
        FROM drift_events d JOIN drift_cause_analysis a ON a.drift_event_id = d.id
        WHERE d.environment_id IN ${envs} AND d.detected_at >= ${lo} AND d.detected_at < ${hi}
        GROUP BY d.environment_id, a.cause_category) c
      GROUP BY environment_id),
    adoption AS (${adoptionByEnvironment(orgId, lo, hi)}),
    touched AS (
      SELECT environment_id FROM detected UNION SELECT environment_id FROM resolved
      UNION SELECT environment_id FROM adoption)
    INSERT INTO drift_metrics_daily (environment_id, date, total_drifts, resolved_drifts, avg_resolution_time,
      top_cause_categories, severity_distribution, recommendation_adoption_rate)
    SELECT t.environment_id, ${day}::date, coalesce(dt.total, 0), coalesce(rs.resolved, 0), rs.avg_time,
      coalesce(c.causes, '{}'::jsonb),
      coalesce(dt.severity, '{"critical":0,"high":0,"medium":0,"low":0,"unscored":0}'::jsonb), a.rate
    FROM touched t
      LEFT JOIN detected dt USING (environment_id) LEFT JOIN resolved rs USING (environment_id)
      LEFT JOIN causes c USING (environment_id) LEFT JOIN adoption a USING (environment_id)
    ON CONFLICT (environment_id, date) ${conflict}`.execute(tx);
  return Number(r.numAffectedRows ?? 0n);
}
