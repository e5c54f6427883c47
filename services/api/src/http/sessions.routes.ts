import { Role, SessionIdParams, SessionList, SessionListItem } from '@driftguard/contracts';
import { enterOrg } from '@driftguard/db';
import { problemResponses, requireToken, type HttpApp } from '@driftguard/runtime';
import { auditContextOf } from '../audit/audit-context.js';
import type { IdentityDeps } from '../identity/identity-deps.js';
import { listOrgSessions, revokeSession } from '../identity/sessions.js';

const ADMIN = requireToken({ roles: [Role.enum.admin] });
// A bearer token or the console's session cookie.
const SECURITY: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

/** `GET /v1/sessions`, `DELETE /v1/sessions/:id`: the organization's console sessions (admin). */
export function registerSessionRoutes(app: HttpApp, { db }: Pick<IdentityDeps, 'db'>): void {
  app.get(
    '/v1/sessions',
    {
      preHandler: ADMIN,
      schema: {
        summary: "The organization's console sessions: who, from where, until when",
        security: SECURITY,
        response: { 200: SessionList, ...problemResponses(401, 403) },
      },
    },
    async (request) => {
      const ctx = auditContextOf(request);
      enterOrg(ctx.orgId);
      return { items: await listOrgSessions(db, ctx.orgId) };
    },
  );

  app.delete(
    '/v1/sessions/:id',
    {
      preHandler: ADMIN,
      config: { audit: { action: 'user_session.revoked', resourceType: 'user_session' } },
      schema: {
        summary: 'Revoke a console session',
        security: SECURITY,
        params: SessionIdParams,
        response: { 200: SessionListItem, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const ctx = auditContextOf(request);
      enterOrg(ctx.orgId);
      return revokeSession(db, ctx, request.params.id, 'user_session.revoked');
    },
  );
}
