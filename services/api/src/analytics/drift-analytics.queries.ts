import { sql, type Kysely } from 'kysely';
import type { Database } from '@driftguard/db';

export interface DriftAnalytics {
  days: { date: string; total: number; resolved: number; avgResolutionSeconds: number | null; adoptionRate: number | null }[];
  totals: { total: number; resolved: number; avgResolutionSeconds: number | null };
  causes: Record<string, number>;
  severity: Record<string, number>;
}

/**
 * Historical analytics of an organization (optionally some of its environments) over
 * [from, to] (YYYY-MM-DD), read from drift_metrics_daily only: per day across environments,
 * resolution time weighted by resolutions, adoption by environment averaged; cause and severity
 * totals summed over the rolled-up objects.
 */
export async function driftAnalytics(
  db: Kysely<Database>,
  orgId: number,
  range: { from: string; to: string; environmentIds?: readonly number[] },
): Promise<DriftAnalytics> {
  const envFilter =
    range.environmentIds && range.environmentIds.length > 0
      ? sql`AND m.environment_id = ANY (${[...range.environmentIds]}::int[])`
      : sql``;
  const rows = sql`SELECT m.* FROM drift_metrics_daily m
    WHERE m.environment_id IN (SELECT id FROM environments WHERE organization_id = ${orgId})
      AND m.date BETWEEN ${range.from}::date AND ${range.to}::date ${envFilter}`;
  const r = await sql<{
    days: DriftAnalytics['days'] | null;
    total: number | null;
    resolved: number | null;
    avg_seconds: number | null;
    causes: Record<string, number> | null;
    severity: Record<string, number> | null;
  }>`
    WITH m AS (${rows}),
    per_day AS (
      SELECT date, sum(total_drifts)::int AS total, sum(resolved_drifts)::int AS resolved,
        sum(extract(epoch FROM avg_resolution_time) * resolved_drifts) AS weighted, avg(recommendation_adoption_rate) AS adoption
      FROM m GROUP BY date)
    SELECT
      (SELECT json_agg(json_build_object('date', to_char(date, 'YYYY-MM-DD'), 'total', total, 'resolved', resolved,
          'avgResolutionSeconds', round(weighted / nullif(resolved, 0)), 'adoptionRate', round(adoption, 4)) ORDER BY date)
        FROM per_day) AS days,
      (SELECT sum(total)::int FROM per_day) AS total,
      (SELECT sum(resolved)::int FROM per_day) AS resolved,
      (SELECT round(sum(weighted) / nullif(sum(resolved), 0)) FROM per_day)::float8 AS avg_seconds,
      (SELECT jsonb_object_agg(key, n) FROM (SELECT key, sum(value::int)::int AS n FROM m, jsonb_each_text(m.top_cause_categories) GROUP BY key) c) AS causes,
      (SELECT jsonb_object_agg(key, n) FROM (SELECT key, sum(value::int)::int AS n FROM m, jsonb_each_text(m.severity_distribution) GROUP BY key) s) AS severity
  `.execute(db);
  const x = r.rows[0];
  return {
    days: (x?.days ?? []).map((d) => ({ ...d, adoptionRate: d.adoptionRate === null ? null : Number(d.adoptionRate) })),
    totals: { total: x?.total ?? 0, resolved: x?.resolved ?? 0, avgResolutionSeconds: x?.avg_seconds ?? null },
    causes: x?.causes ?? {},
    severity: x?.severity ?? {},
  };
}
