import type { Role } from '@driftguard/contracts';
import type { FastifyPluginAsync, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { AuthError } from './auth-error.js';
import type { EnvironmentDirectory, TokenAuth } from './token-auth.js';
import type { TokenPrincipal, TokenVerifier } from './token-verifier.js';

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
    /** Set by `requireToken` once the bearer token is verified; null on public routes. */
    principal: TokenPrincipal | null;
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

/** The one auth preHandler: verifies the bearer token, checks the role, resolves the environment. */
export function requireToken({ roles, environment }: RequireTokenOptions): preHandlerAsyncHookHandler {
  return async function checkToken(request) {
    const principal = await request.server.tokenVerifier.verify(request.headers.authorization);
    if (!roles.includes(principal.role)) {
      throw new AuthError('forbidden', `a ${principal.role} token may not do this; needs ${roles.join(' or ')}`);
    }
    request.principal = principal;
    if (environment === 'query') request.environment = await resolveEnvironment(request, principal);
  };
}

async function resolveEnvironment(request: FastifyRequest, principal: TokenPrincipal): Promise<RequestEnvironment> {
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
export function assertEnvironmentAccess(principal: TokenPrincipal, envId: number | null, what: string): void {
  if (principal.envId !== null && principal.envId !== envId) {
    throw new AuthError('forbidden', `this token is bound to another environment than ${what}`);
  }
}

/** The verified principal of a route guarded by `requireToken`. */
export function principalOf(request: FastifyRequest): TokenPrincipal {
  if (!request.principal) throw new Error(`route ${request.routeOptions.url ?? request.url} is not guarded by requireToken`);
  return request.principal;
}

/** The environment of a route guarded by `requireToken({ environment: 'query' })`. */
export function environmentOf(request: FastifyRequest): RequestEnvironment {
  if (!request.environment) throw new Error(`route ${request.routeOptions.url ?? request.url} does not resolve an environment`);
  return request.environment;
}
