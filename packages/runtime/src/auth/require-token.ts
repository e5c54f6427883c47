import type { Role } from '@driftguard/contracts';
import type { FastifyPluginAsync, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { AuthError } from './auth-error.js';
import type { TokenPrincipal, TokenVerifier } from './token-verifier.js';

declare module 'fastify' {
  interface FastifyInstance {
    tokenVerifier: TokenVerifier;
  }
  interface FastifyRequest {
    /** Set by `requireToken` once the bearer token is verified; null on public routes. */
    principal: TokenPrincipal | null;
  }
}

const registerTokenAuth: FastifyPluginAsync<{ verifier: TokenVerifier }> = async (app, { verifier }) => {
  app.decorate('tokenVerifier', verifier);
  app.decorateRequest('principal', null);
};

/** Makes a verifier available to `requireToken` on every route of the app. */
export const tokenAuthPlugin = fp(registerTokenAuth, { name: 'driftguard-token-auth', fastify: '5.x' });

export interface RequireTokenOptions {
  /** Roles allowed on the route; any other role is `forbidden`. */
  roles: readonly Role[];
  /** The token must be bound to one environment (scan submission: the environment is the token's). */
  envScoped?: boolean;
  /**
   * The environment the request targets, when the route names one; an environment-bound token
   * may only reach its own environment.
   */
  environmentOf?: (request: FastifyRequest) => number | undefined;
}

/** A preHandler that verifies the bearer token, checks role and environment, and sets `request.principal`. */
export function requireToken({ roles, envScoped = false, environmentOf }: RequireTokenOptions): preHandlerAsyncHookHandler {
  return async function checkToken(request) {
    const principal = await request.server.tokenVerifier.verify(request.headers.authorization);
    if (!roles.includes(principal.role)) {
      throw new AuthError('forbidden', `a ${principal.role} token may not do this; needs ${roles.join(' or ')}`);
    }
    if (envScoped && principal.envId === null) {
      throw new AuthError('forbidden', 'this endpoint needs a token bound to an environment');
    }
    const target = environmentOf?.(request);
    if (target !== undefined && principal.envId !== null && principal.envId !== target) {
      throw new AuthError('forbidden', 'the token is bound to another environment');
    }
    request.principal = principal;
  };
}

/** The verified principal of a route guarded by `requireToken`. */
export function principalOf(request: FastifyRequest): TokenPrincipal {
  if (!request.principal) throw new Error(`route ${request.routeOptions.url ?? request.url} is not guarded by requireToken`);
  return request.principal;
}
