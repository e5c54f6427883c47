import { sql, type Kysely } from 'kysely';
import type { Database } from '@driftguard/db';

/** Open drift of one environment by severity (the analysis service's bands). */
export interface SeverityCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
  unscored: number;
}

export interface EnvironmentDashboard {
  environmentId: number;
  name: string;
  open: number;
  openBySeverity: SeverityCounts;
  detectedLast24h: number;
  resolvedLast24h: number;
  /** The last 7 rolled-up days, oldest first. */
  trend: { date: string; total: number; resolved: number }[];
}

/**
 * The console's dashboard: per environment of the organization, open drift by severity (the
 * partial index on open drift), drift detected and resolved in the last 24 hours (time
 * indexes), and the 7-day trend from drift_metrics_daily.
 */
export async function dashboardByEnvironment(db: Kysely<Database>, orgId: number, now: Date): Promise<EnvironmentDashboard[]> {
  const since = new Date(now.getTime() - 86_400_000);
  const trendFrom = new Date(now.getTime() - 7 * 86_400_000).toISOString().slice(0, 10);
  const r = await sql<{
    id: number;
    name: string;
    critical: number;
    high: number;
    medium: number;
    low: number;
    unscored: number;
    detected: number;
    resolved: number;
    trend: { date: string; total: number; resolved: number }[] | null;
  }>`
    SELECT e.id, e.name, o.critical, o.high, o.medium, o.low, o.unscored,
      (SELECT count(*)::int FROM drift_events d
        WHERE d.environment_id = e.id AND d.detected_at >= ${since}) AS detected,
      (SELECT count(*)::int FROM drift_events d
        WHERE d.environment_id = e.id AND d.resolved_at >= ${since}) AS resolved,
      (SELECT json_agg(json_build_object('date', m.date, 'total', m.total_drifts, 'resolved', m.resolved_drifts) ORDER BY m.date)
        FROM drift_metrics_daily m WHERE m.environment_id = e.id AND m.date >= ${trendFrom}::date) AS trend
    FROM environments e
    CROSS JOIN LATERAL (
      SELECT count(*) FILTER (WHERE d.severity_score >= 0.8)::int AS critical,
        count(*) FILTER (WHERE d.severity_score >= 0.55 AND d.severity_score < 0.8)::int AS high,
        count(*) FILTER (WHERE d.severity_score >= 0.3 AND d.severity_score < 0.55)::int AS medium,
        count(*) FILTER (WHERE d.severity_score < 0.3)::int AS low,
        count(*) FILTER (WHERE d.severity_score IS NULL)::int AS unscored
      FROM drift_events d WHERE d.environment_id = e.id AND d.resolved_at IS NULL) o
    WHERE e.organization_id = ${orgId}
    ORDER BY e.name`.execute(db);
  return r.rows.map((x) => ({
    environmentId: x.id,
    name: x.name,
    open: x.critical + x.high + x.medium + x.low + x.unscored,
    openBySeverity: { critical: x.critical, high: x.high, medium: x.medium, low: x.low, unscored: x.unscored },
    detectedLast24h: x.detected,
    resolvedLast24h: x.resolved,
    trend: x.trend ?? [],
  }));
}
