import { DriftDetailView, DriftListQuery, DriftPage, NumericIdParams } from '@driftguard/contracts';
import { InvalidInputError, NotFoundError, type HttpApp } from '@driftguard/runtime';
import { driftDetail } from '../analytics/drift-detail.queries.js';
import {
  decodeDriftCursor,
  driftSortOf,
  listDrifts,
  type DriftFilter,
  type DriftSort,
} from '../analytics/drift-search.queries.js';
import { driftAuditTimeline, driftDeliveries, environmentIdsBySlug } from '../config/control-plane.queries.js';
import { callerOf, READ, SECURITY, type ControlPlaneDeps, problems } from '../config/control-plane.js';
import type { Database } from '@driftguard/db';
import type { Kysely } from 'kysely';

const iso = (d: Date | string) => new Date(d).toISOString();

/**
 * The list filters as the search query takes them; an unknown environment slug matches nothing
 * (it is another organization's or no one's, and the answer must not tell which).
 */
export async function driftFilterOf(db: Kysely<Database>, orgId: number, q: DriftListQuery): Promise<DriftFilter> {
  let environmentIds: number[] | undefined;
  if (q.environment && q.environment.length > 0) {
    environmentIds = (await environmentIdsBySlug(db, orgId, q.environment)).map((e) => e.id);
    if (environmentIds.length === 0) environmentIds = [-1];
  }
  if (q.minSeverity !== undefined && q.maxSeverity !== undefined && q.minSeverity > q.maxSeverity) {
    throw new InvalidInputError('minSeverity is above maxSeverity', [
      { path: 'query.minSeverity', message: 'above maxSeverity' },
    ]);
  }
  return {
    environmentIds,
    status: q.status,
    driftTypes: q.driftType,
    minSeverity: q.minSeverity,
    maxSeverity: q.maxSeverity,
    detectedFrom: q.from === undefined ? undefined : new Date(q.from),
    detectedTo: q.to === undefined ? undefined : new Date(q.to),
    resourceType: q.resourceType,
    causeCategory: q.cause,
    securityCritical: q.securityCritical === 'true' ? true : undefined,
    priorities: q.priority,
    q: q.q,
  };
}

export type DriftCursor = NonNullable<ReturnType<typeof decodeDriftCursor>>;

/** The `cursor` query parameter, decoded; 400 when it is not one of this list in this order. */
export function cursorOf(text: string | undefined, sort: DriftSort): DriftCursor | undefined {
  if (text === undefined) return undefined;
  const cursor = decodeDriftCursor(text);
  if (!cursor) throw new InvalidInputError('not a cursor of this list', [{ path: 'query.cursor', message: 'invalid cursor' }]);
  const name = `${sort.direction === 'desc' ? '-' : ''}${sort.key}`;
  if (cursor.sort !== name)
    throw new InvalidInputError(`the cursor continues the order ${cursor.sort}, not ${name}`, [
      { path: 'query.cursor', message: 'cursor of another sort order' },
    ]);
  return cursor;
}

/** `GET /v1/drifts` (filters, search, cursor pages) and `GET /v1/drifts/:id` (everything known about one drift). */
export function registerDriftRoutes(app: HttpApp, { db }: ControlPlaneDeps): void {
  app.get(
    '/v1/drifts',
    {
      preHandler: READ,
      schema: {
        summary:
          'Drift of the organization, filtered and searched, sorted (newest first by default) one keyset cursor page at a time',
        security: SECURITY,
        querystring: DriftListQuery,
        response: { 200: DriftPage, ...problems(401, 403) },
      },
    },
    async (request) => {
      const ctx = callerOf(request);
      const filter = await driftFilterOf(db, ctx.orgId, request.query);
      const sort = driftSortOf(request.query.sort);
      const page = await listDrifts(db, ctx.orgId, filter, {
        cursor: cursorOf(request.query.cursor, sort),
        limit: request.query.limit,
        sort,
      });
      return {
        nextCursor: page.nextCursor,
        items: page.items.map((d) => ({
          ...d,
          detectedAt: iso(d.detectedAt),
          resolvedAt: d.resolvedAt === null ? null : iso(d.resolvedAt),
        })),
      };
    },
  );

  app.get(
    '/v1/drifts/:id',
    {
      preHandler: READ,
      schema: {
        summary:
          'One drift: changes, cause analysis, predictions, correlations, recommendations, notifications and its audit timeline',
        security: SECURITY,
        params: NumericIdParams,
        response: { 200: DriftDetailView, ...problems(401, 403, 404) },
      },
    },
    async (request) => {
      const ctx = callerOf(request);
      const d = await driftDetail(db, ctx.orgId, request.params.id);
      if (!d) throw new NotFoundError(`no drift ${request.params.id} in your organization`, { code: 'drift_not_found' });
      const audit = await driftAuditTimeline(db, ctx.orgId, d.id);
      const deliveries = await driftDeliveries(db, ctx.orgId, d.id);
      return {
        ...d,
        detectedAt: iso(d.detectedAt),
        resolvedAt: d.resolvedAt === null ? null : iso(d.resolvedAt),
        deliveries,
        audit,
      };
    },
  );
}
