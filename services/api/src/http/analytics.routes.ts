import { AnalyticsQuery, CoverageView, DailyMetricsView, ModelPerformanceView } from '@driftguard/contracts';
import { UnprocessableInputError, type HttpApp } from '@driftguard/runtime';
import { z } from 'zod';
import { dashboardByEnvironment } from '../analytics/dashboard.queries.js';
import { driftAnalytics } from '../analytics/drift-analytics.queries.js';
import { coverageTrend, environmentIdsBySlug, modelPerformance } from '../config/control-plane.queries.js';
import { callerOf, READ, SECURITY, type ControlPlaneDeps, problems } from '../config/control-plane.js';
import type { Database } from '@driftguard/db';
import type { Kysely } from 'kysely';

const DAY = 86_400_000;
/** Longest range one analytics request covers. */
const MAX_DAYS = 366;

const Dashboard = z.object({
  items: z.array(
    z.object({
      environmentId: z.number().int(),
      name: z.string(),
      open: z.number().int(),
      openBySeverity: z.object({
        critical: z.number(),
        high: z.number(),
        medium: z.number(),
        low: z.number(),
        unscored: z.number(),
      }),
      detectedLast24h: z.number().int(),
      resolvedLast24h: z.number().int(),
      trend: z.array(z.object({ date: z.string(), total: z.number(), resolved: z.number() })),
    }),
  ),
});

async function rangeOf(db: Kysely<Database>, orgId: number, q: z.infer<typeof AnalyticsQuery>, now = new Date()) {
  const to = q.to ?? now.toISOString().slice(0, 10);
  const from = q.from ?? new Date(Date.parse(to) - 89 * DAY).toISOString().slice(0, 10);
  const days = (Date.parse(to) - Date.parse(from)) / DAY;
  if (days < 0) throw new UnprocessableInputError('from is after to', 'invalid_range');
  if (days > MAX_DAYS)
    throw new UnprocessableInputError(`at most ${MAX_DAYS} days per request`, 'range_too_long', {
      extensions: { limit: 'analytics_days', max: MAX_DAYS },
    });
  let environmentIds: number[] | null = null;
  if (q.environment && q.environment.length > 0) {
    environmentIds = (await environmentIdsBySlug(db, orgId, q.environment)).map((e) => e.id);
    if (environmentIds.length === 0) environmentIds = [-1];
  }
  return { from, to, environmentIds };
}

/** Dashboard, daily drift metrics (90 days by default), IaC coverage and MTTR trends, ML model performance. */
export function registerAnalyticsRoutes(app: HttpApp, { db }: ControlPlaneDeps): void {
  app.get(
    '/v1/analytics/dashboard',
    {
      preHandler: READ,
      schema: {
        summary: 'Open drift by severity and the 7-day trend, per environment',
        security: SECURITY,
        response: { 200: Dashboard, ...problems(401, 403) },
      },
    },
    async (request) => ({ items: await dashboardByEnvironment(db, callerOf(request).orgId, new Date()) }),
  );

  app.get(
    '/v1/analytics/drifts',
    {
      preHandler: READ,
      schema: {
        summary: 'Daily drift metrics (drift_metrics_daily): totals, resolutions, resolution time, adoption, causes, severities',
        security: SECURITY,
        querystring: AnalyticsQuery,
        response: { 200: DailyMetricsView, ...problems(401, 403, 422) },
      },
    },
    async (request) => {
      const { orgId } = callerOf(request);
      const r = await rangeOf(db, orgId, request.query);
      return driftAnalytics(db, orgId, { from: r.from, to: r.to, environmentIds: r.environmentIds ?? undefined });
    },
  );

  app.get(
    '/v1/analytics/coverage',
    {
      preHandler: READ,
      schema: {
        summary: 'IaC coverage and mean time to resolve, per environment and day',
        security: SECURITY,
        querystring: AnalyticsQuery,
        response: { 200: CoverageView, ...problems(401, 403, 422) },
      },
    },
    async (request) => {
      const { orgId } = callerOf(request);
      const r = await rangeOf(db, orgId, request.query);
      return { items: await coverageTrend(db, orgId, r.from, r.to, r.environmentIds) };
    },
  );

  app.get(
    '/v1/analytics/models',
    {
      preHandler: READ,
      schema: {
        summary: 'ML model performance over versions',
        security: SECURITY,
        response: { 200: ModelPerformanceView, ...problems(401, 403) },
      },
    },
    async (request) => {
      callerOf(request);
      return { items: await modelPerformance(db) };
    },
  );
}
