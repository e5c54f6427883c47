import type { Role } from '@driftguard/contracts';
import '@fastify/cookie';
import type { FastifyPluginAsync, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { AuthError } from './auth-error.js';
import type { Principal } from './principal.js';
import { CSRF_HEADER, csrfTokenMatches, SESSION_COOKIE } from './session-secret.js';
import type { SessionAuth } from './session-auth.js';
import type { EnvironmentDirectory, TokenAuth } from './token-auth.js';
import type { TokenVerifier } from './token-verifier.js';

/** The environment a request acts on, resolved by `requireToken({ environment: 'query' })`. */
export interface RequestEnvironment {
  orgId: number;
  envId: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    tokenVerifier: TokenVerifier;
    environmentDirectory: EnvironmentDirectory | null;
  }
  interface FastifyRequest {
    /** Set by `requireToken` once the bearer token or session cookie is verified; null on public routes. */
    principal: Principal | null;
    /** Set by `requireToken({ environment: 'query' })`. */
    environment: RequestEnvironment | null;
  }
}

/** A verifier alone (tests) or the verifier with the environment directory (services). */
export type TokenAuthPluginOptions = TokenAuth | { verifier: TokenVerifier; environments?: EnvironmentDirectory };

const registerTokenAuth: FastifyPluginAsync<TokenAuthPluginOptions> = async (app, options) => {
  app.decorate('tokenVerifier', options.verifier);
  app.decorate('environmentDirectory', options.environments ?? null);
  app.decorateRequest('principal', null);
  app.decorateRequest('environment', null);
};

/** Makes token auth available to `requireToken` on every route of the app (the HTTP server does this). */
export const tokenAuthPlugin = fp(registerTokenAuth, { name: 'driftguard-token-auth', fastify: '5.x' });

export interface RequireTokenOptions {
  /** Roles allowed on the route; any other role is `forbidden` (403). */
  roles: readonly Role[];
  /**
   * `'query'`: the route acts on one environment — the token's own, or the `env=<org>/<env>` query
   * parameter (required for an organization-wide token). Another organization's or an unknown
   * environment is 404; an environment-bound token naming another environment is 403.
   */
  environment?: 'query';
}

/**
 * The one auth preHandler: verifies the bearer token, or (where `sessionAuthPlugin` is registered
 * and no Authorization header is sent) the console's session cookie, checks CSRF on a
 * cookie-authenticated write, checks the role and resolves the environment. Either way the
 * request gets the same `Principal`.
 */
export function requireToken({ roles, environment }: RequireTokenOptions): preHandlerAsyncHookHandler {
  return async function checkToken(request) {
    const principal = await authenticate(request);
    // Known before the role check, so a refused attempt can be attributed (the api audits it).
    request.principal = principal;
    if (!roles.includes(principal.role)) {
      const who = principal.actor === 'token' ? `a ${principal.role} token` : `a user with role ${principal.role}`;
      throw new AuthError('forbidden', `${who} may not do this; needs ${roles.join(' or ')}`);
    }
    if (environment === 'query') request.environment = await resolveEnvironment(request, principal);
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

async function authenticate(request: FastifyRequest): Promise<Principal> {
  const sessions = request.server.sessionAuth;
  const cookie = sessions ? request.cookies[SESSION_COOKIE] : undefined;
  if (request.headers.authorization !== undefined || sessions === undefined || cookie === undefined) {
    const token = await request.server.tokenVerifier.verify(request.headers.authorization);
    return { actor: 'token', ...token, userId: null, sessionId: null };
  }
  if (!SAFE_METHODS.has(request.method)) assertSameOrigin(request, sessions, cookie);
  const session = await sessions.verifier.verify(cookie);
  return {
    actor: 'user',
    orgId: session.orgId,
    envId: null,
    role: session.role,
    tokenId: null,
    userId: session.userId,
    sessionId: session.sessionId,
  };
}

/**
 * CSRF defence for cookie-authenticated writes, two layers: the `X-CSRF-Token` header must carry
 * the session's token (a cross-site form or fetch cannot read it nor set the header without a
 * CORS preflight the api never grants), and an `Origin` header, when the browser sends one, must
 * be an allowed origin or the request's own host.
 */
function assertSameOrigin(request: FastifyRequest, sessions: SessionAuth, secret: string): void {
  const header = request.headers[CSRF_HEADER];
  if (!csrfTokenMatches(secret, typeof header === 'string' ? header : undefined)) {
    throw new AuthError('csrf_rejected', 'a cookie-authenticated write needs the X-CSRF-Token header of the session');
  }
  const origin = request.headers.origin;
  if (origin === undefined) return;
  const host = request.headers.host;
  const own = host === undefined ? [] : [`https://${host}`, `http://${host}`];
  if (!sessions.allowedOrigins.includes(origin) && !own.includes(origin)) {
    throw new AuthError('csrf_rejected', `requests from origin ${origin} may not write with a session cookie`);
  }
}

async function resolveEnvironment(request: FastifyRequest, principal: Principal): Promise<RequestEnvironment> {
  const query = request.query;
  const requested =
    typeof query === 'object' && query !== null && 'env' in query && typeof query.env === 'string' ? query.env : undefined;
  if (requested === undefined) {
    if (principal.envId === null) {
      throw new InvalidInputError(
        'this token is not bound to an environment; pass env=<org>/<env>',
        [{ path: 'query.env', message: 'required for an organization-wide token' }],
        { code: 'environment_required' },
      );
    }
    return { orgId: principal.orgId, envId: principal.envId };
  }
  const directory = request.server.environmentDirectory;
  if (!directory) throw new Error('requireToken({ environment }) needs the token auth plugin with an environment directory');
  const [orgSlug = '', envSlug = ''] = requested.split('/');
  const found = await directory.find(principal.orgId, orgSlug, envSlug);
  if (!found || found.orgId !== principal.orgId)
    throw new NotFoundError(`no environment ${requested} in your organization`, { code: 'environment_not_found' });
  assertEnvironmentAccess(principal, found.envId, `environment ${requested}`);
  return found;
}

/** An environment-bound token may only reach its own environment (403 otherwise). */
export function assertEnvironmentAccess(principal: Principal, envId: number | null, what: string): void {
  if (principal.envId !== null && principal.envId !== envId) {
    throw new AuthError('forbidden', `this token is bound to another environment than ${what}`);
  }
}

/** The verified principal of a route guarded by `requireToken`. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error(`route ${request.routeOptions.url ?? request.url} is not guarded by requireToken`);
  return request.principal;
}

/** The environment of a route guarded by `requireToken({ environment: 'query' })`. */
export function environmentOf(request: FastifyRequest): RequestEnvironment {
  if (!request.environment) throw new Error(`route ${request.routeOptions.url ?? request.url} does not resolve an environment`);
  return request.environment;
}
