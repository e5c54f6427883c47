import { CreateUserBody, NumericIdParams, Role, UpdateUserBody, UserList, UserView } from '@driftguard/contracts';
import { enterOrg } from '@driftguard/db';
import { problemResponses, requireToken, type HttpApp } from '@driftguard/runtime';
import { auditContextOf } from '../audit/audit-context.js';
import type { IdentityDeps } from '../identity/identity-deps.js';
import { changeUser, createUser, listOrgUsers } from '../identity/users.js';

const ADMIN = requireToken({ roles: [Role.enum.admin] });
// A bearer token or the console's session cookie.
const SECURITY: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

/** `POST /v1/users`, `GET /v1/users`, `PATCH /v1/users/:id`: the people of the caller's organization (admin). */
export function registerUserRoutes(app: HttpApp, { db }: Pick<IdentityDeps, 'db'>): void {
  app.post(
    '/v1/users',
    {
      preHandler: ADMIN,
      config: { audit: { action: 'user.created', resourceType: 'user' } },
      schema: {
        summary: 'Create a user (with a password, or for OpenID Connect sign-in only)',
        security: SECURITY,
        body: CreateUserBody,
        response: { 201: UserView, ...problemResponses(401, 403, 409) },
      },
    },
    async (request, reply) => {
      const ctx = auditContextOf(request);
      enterOrg(ctx.orgId);
      return reply.code(201).send(await createUser(db, ctx, request.body));
    },
  );

  app.get(
    '/v1/users',
    {
      preHandler: ADMIN,
      schema: {
        summary: "The organization's users",
        security: SECURITY,
        response: { 200: UserList, ...problemResponses(401, 403) },
      },
    },
    async (request) => {
      const ctx = auditContextOf(request);
      enterOrg(ctx.orgId);
      return { items: await listOrgUsers(db, ctx.orgId) };
    },
  );

  app.patch(
    '/v1/users/:id',
    {
      preHandler: ADMIN,
      config: { audit: { action: 'user.updated', resourceType: 'user' } },
      schema: {
        summary: "Change a user's name, role, password or activity (deactivating or a new password ends their sessions)",
        security: SECURITY,
        params: NumericIdParams,
        body: UpdateUserBody,
        response: { 200: UserView, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const ctx = auditContextOf(request);
      enterOrg(ctx.orgId);
      return changeUser(db, ctx, request.params.id, request.body);
    },
  );
}
