import { LoginBody, OidcCallbackQuery, Role, SessionListItem, SessionView, UserRole } from '@driftguard/contracts';
import { enterOrg } from '@driftguard/db';
import {
  AuthError,
  csrfTokenFor,
  InvalidInputError,
  NotFoundError,
  principalOf,
  problemResponses,
  requireToken,
  SESSION_COOKIE,
  type HttpApp,
} from '@driftguard/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { auditContextOf, clientOf } from '../audit/audit-context.js';
import type { IdentityDeps } from '../identity/identity-deps.js';
import { passwordLogin } from '../identity/login.js';
import { OidcFlow } from '../identity/oidc.js';
import { oidcSessionFor } from '../identity/oidc-login.js';
import { revokeSession, type SessionSettings, type StartedSession } from '../identity/sessions.js';
import { sessionById } from '../identity/sessions.queries.js';

const OIDC_FLOW_COOKIE = 'dg_oidc_flow';
const OIDC_PATH = '/v1/auth/oidc';
const Redirect = z.null().describe('redirect (see the Location header)');

function setSessionCookie(reply: FastifyReply, settings: SessionSettings, started: StartedSession): void {
  void reply.setCookie(SESSION_COOKIE, started.secret, {
    httpOnly: true,
    secure: settings.secureCookie,
    sameSite: 'lax',
    path: '/',
    maxAge: Math.floor(settings.ttlMs / 1000),
  });
}

function requireSession(request: FastifyRequest) {
  const principal = principalOf(request);
  const secret = request.cookies[SESSION_COOKIE];
  if (principal.actor !== 'user' || principal.sessionId === null || principal.userId === null || secret === undefined) {
    throw new InvalidInputError('this request is not made with a console session', [], { code: 'not_a_session' });
  }
  return { principal, sessionId: principal.sessionId, userId: principal.userId, secret };
}

/**
 * Console sign-in: `POST /v1/auth/login` (password), `GET /v1/auth/oidc/login` and its callback
 * (OpenID Connect, code flow with PKCE), `GET /v1/auth/session`, `POST /v1/auth/logout`.
 */
export function registerAuthRoutes(app: HttpApp, deps: IdentityDeps): void {
  const { db, sessions } = deps;

  app.post(
    '/v1/auth/login',
    {
      schema: {
        summary: 'Sign in with email and password; sets the httpOnly session cookie',
        body: LoginBody,
        response: { 200: SessionView, ...problemResponses(401) },
      },
    },
    async (request, reply) => {
      const started = await passwordLogin(db, sessions, request.body, clientOf(request));
      setSessionCookie(reply, sessions, started);
      return started.view;
    },
  );

  app.get(
    '/v1/auth/session',
    {
      preHandler: requireToken({ roles: Role.options }),
      schema: {
        summary: 'The current console session and its CSRF token',
        security: [{ session: [] }],
        response: { 200: SessionView, ...problemResponses(401, 403) },
      },
    },
    async (request) => {
      const { principal, sessionId, secret } = requireSession(request);
      enterOrg(principal.orgId);
      const row = await sessionById(db, principal.orgId, sessionId);
      const role = UserRole.safeParse(principal.role);
      if (!row || !role.success) throw new AuthError('invalid_session');
      return {
        userId: row.user_id,
        orgId: principal.orgId,
        role: role.data,
        expiresAt: new Date(row.expires_at).toISOString(),
        csrfToken: csrfTokenFor(secret),
      };
    },
  );

  app.post(
    '/v1/auth/logout',
    {
      preHandler: requireToken({ roles: Role.options }),
      config: { audit: { action: 'user_session.ended', resourceType: 'user_session' } },
      schema: {
        summary: 'Sign out: ends the current console session (needs X-CSRF-Token)',
        security: [{ session: [] }],
        response: { 200: SessionListItem, ...problemResponses(401, 403) },
      },
    },
    async (request, reply) => {
      const { principal, sessionId } = requireSession(request);
      enterOrg(principal.orgId);
      const ended = await revokeSession(db, auditContextOf(request), sessionId, 'user_session.ended');
      void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, secure: sessions.secureCookie, sameSite: 'lax' });
      return ended;
    },
  );

  app.get(
    `${OIDC_PATH}/login`,
    {
      schema: {
        summary: 'Sign in with OpenID Connect: redirects to the identity provider',
        response: { 302: Redirect, ...problemResponses(404) },
      },
    },
    async (_request, reply) => {
      if (!deps.oidc) throw new NotFoundError('OpenID Connect sign-in is not configured', { code: 'oidc_not_configured' });
      const { url, flow } = await deps.oidc.begin();
      void reply.setCookie(OIDC_FLOW_COOKIE, JSON.stringify(flow), {
        signed: true,
        httpOnly: true,
        secure: sessions.secureCookie,
        sameSite: 'lax',
        path: OIDC_PATH,
        maxAge: 600,
      });
      return reply.redirect(url, 302);
    },
  );

  app.get(
    `${OIDC_PATH}/callback`,
    {
      schema: {
        summary: 'Where the identity provider sends the browser back; starts the console session',
        querystring: OidcCallbackQuery,
        response: { 303: Redirect, ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      if (!deps.oidc) throw new NotFoundError('OpenID Connect sign-in is not configured', { code: 'oidc_not_configured' });
      const flow = readFlow(request);
      void reply.clearCookie(OIDC_FLOW_COOKIE, { path: OIDC_PATH });
      if (request.query.error !== undefined)
        throw new AuthError('invalid_credentials', `the identity provider refused: ${request.query.error}`);
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      const identity = await deps.oidc.complete(query, flow);
      const started = await oidcSessionFor(db, sessions, identity, clientOf(request));
      setSessionCookie(reply, sessions, started);
      return reply.redirect(deps.afterLoginUrl, 303);
    },
  );
}

function readFlow(request: FastifyRequest): OidcFlow {
  const raw = request.cookies[OIDC_FLOW_COOKIE];
  const unsigned = raw === undefined ? undefined : request.unsignCookie(raw);
  if (!unsigned?.valid || unsigned.value === null) {
    throw new AuthError('invalid_session', 'the sign-in was not started here or took too long; start again');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(unsigned.value);
  } catch {
    parsed = undefined;
  }
  const flow = OidcFlow.safeParse(parsed);
  if (!flow.success) throw new AuthError('invalid_session', 'the sign-in state is unreadable; start again');
  return flow.data;
}
