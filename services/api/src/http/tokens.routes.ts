import { CreatedToken, CreateTokenBody, NumericIdParams, Role, TokenList, TokenView } from '@driftguard/contracts';
import { enterOrg } from '@driftguard/db';
import { problemResponses, requireToken, type HttpApp } from '@driftguard/runtime';
import { auditContextOf } from '../audit/audit-context.js';
import type { IdentityDeps } from '../identity/identity-deps.js';
import { createToken, listOrgTokens, revokeToken } from '../identity/tokens.js';

const ADMIN = requireToken({ roles: [Role.enum.admin] });
// A bearer token or the console's session cookie.
const SECURITY: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

/** `POST /v1/tokens`, `GET /v1/tokens`, `DELETE /v1/tokens/:id`: the caller's organization's API tokens (admin). */
export function registerTokenRoutes(app: HttpApp, { db }: Pick<IdentityDeps, 'db'>): void {
  app.post(
    '/v1/tokens',
    {
      preHandler: ADMIN,
      config: { audit: { action: 'api_token.created', resourceType: 'api_token' } },
      schema: {
        summary: 'Create an API token; the answer is the only time the token is shown',
        security: SECURITY,
        body: CreateTokenBody,
        response: { 201: CreatedToken, ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const ctx = auditContextOf(request);
      enterOrg(ctx.orgId);
      return reply.code(201).send(await createToken(db, ctx, request.body));
    },
  );

  app.get(
    '/v1/tokens',
    {
      preHandler: ADMIN,
      schema: {
        summary: "The organization's API tokens (never their secrets)",
        security: SECURITY,
        response: { 200: TokenList, ...problemResponses(401, 403) },
      },
    },
    async (request) => {
      const ctx = auditContextOf(request);
      enterOrg(ctx.orgId);
      return { items: await listOrgTokens(db, ctx.orgId) };
    },
  );

  app.delete(
    '/v1/tokens/:id',
    {
      preHandler: ADMIN,
      config: { audit: { action: 'api_token.revoked', resourceType: 'api_token' } },
      schema: {
        summary: 'Revoke an API token (it is refused from then on)',
        security: SECURITY,
        params: NumericIdParams,
        response: { 200: TokenView, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const ctx = auditContextOf(request);
      enterOrg(ctx.orgId);
      return revokeToken(db, ctx, request.params.id);
    },
  );
}
