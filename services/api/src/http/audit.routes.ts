import { Readable } from 'node:stream';
import { AuditExportQuery, AuditListQuery, AuditPage, Role } from '@driftguard/contracts';
import { enterOrg, runAsOrg } from '@driftguard/db';
import { problemResponses, requireToken, type HttpApp } from '@driftguard/runtime';
import { z } from 'zod';
import { auditContextOf } from '../audit/audit-context.js';
import { auditExport } from '../audit/audit-export.js';
import { auditEntryView, decodeCursor, encodeCursor } from '../audit/audit-view.js';
import { listAuditRows } from '../audit/audit.queries.js';
import type { IdentityDeps } from '../identity/identity-deps.js';

/** Who may read the audit log. */
export const AUDITOR_ROLES = [Role.enum.admin];
const AUDITOR = requireToken({ roles: AUDITOR_ROLES });
// A bearer token or the console's session cookie.
const SECURITY: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

// The body is streamed as it is read, never serialized: a stream, documented as text.
const ExportStream = z.custom<Readable>((v) => v instanceof Readable).meta({ type: 'string' });
const ExportBody = {
  description: 'JSON lines (application/x-ndjson) or CSV (text/csv), newest first',
  content: { 'application/x-ndjson': { schema: ExportStream }, 'text/csv': { schema: ExportStream } },
};

/** `GET /v1/audit` (filters, cursor pages) and `GET /v1/audit/export` (CSV or JSON lines) of the caller's organization. */
export function registerAuditRoutes(app: HttpApp, { db }: Pick<IdentityDeps, 'db'>): void {
  app.get(
    '/v1/audit',
    {
      preHandler: AUDITOR,
      schema: {
        summary: "The organization's audit log, newest first, a page at a time",
        security: SECURITY,
        querystring: AuditListQuery,
        response: { 200: AuditPage, ...problemResponses(401, 403) },
      },
    },
    async (request) => {
      const { orgId } = auditContextOf(request);
      enterOrg(orgId);
      const { limit, cursor, ...filter } = request.query;
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      // One row more than the page tells whether another page follows.
      const rows = await runAsOrg(orgId, () => listAuditRows(db, orgId, filter, limit + 1, after));
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { items: page.map(auditEntryView), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
    },
  );

  app.get(
    '/v1/audit/export',
    {
      preHandler: AUDITOR,
      schema: {
        summary: "Export the organization's audit log (every matching row) as CSV or JSON lines",
        security: SECURITY,
        querystring: AuditExportQuery,
        produces: ['application/x-ndjson', 'text/csv'],
        response: { 200: ExportBody, ...problemResponses(401, 403) },
      },
    },
    async (request, reply) => {
      const { orgId } = auditContextOf(request);
      const { format, ...filter } = request.query;
      const type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8';
      return reply
        .type(type)
        .header('content-disposition', `attachment; filename="audit.${format === 'csv' ? 'csv' : 'jsonl'}"`)
        .send(auditExport(db, orgId, filter, format));
    },
  );
}
