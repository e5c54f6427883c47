import { createHash, randomUUID } from 'node:crypto';
import etag from '@fastify/etag';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swaggerUi from '@fastify/swagger-ui';
import { parseToken, ProblemError, SESSION_COOKIE, type HttpApp } from '@driftguard/runtime';
import type { FastifyRequest } from 'fastify';

export interface ApiSurfaceLimits {
  /** Requests one token (or session, or anonymous address) may make per `rateWindowMs`. */
  ratePerWindow: number;
  rateWindowMs: number;
  /** Largest JSON body the control plane accepts, in bytes. */
  bodyLimit: number;
}

/** An incoming X-Request-Id is echoed when it looks like an id; anything else is replaced by a fresh UUID. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Whom a request counts against: the token (by its public prefix, so no database lookup precedes
 * the limit), else the session cookie (hashed), else the client address.
 */
export function rateKeyOf(request: FastifyRequest): string {
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) {
    const parsed = parseToken(auth.slice('Bearer '.length).trim());
    if (parsed) return `token:${parsed.prefix}`;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie !== undefined) return `session:${createHash('sha256').update(cookie).digest('hex').slice(0, 32)}`;
  return `ip:${request.ip}`;
}

/**
 * What every control-plane route shares: request ids, security headers, per-token rate limits
 * (429 problem with Retry-After), ETags with 304 on If-None-Match, and the rendered OpenAPI
 * document at `/docs`. Registered in the api's route scope before its routes.
 */
export async function registerApiSurface(app: HttpApp, limits: ApiSurfaceLimits): Promise<void> {
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= limits.bodyLimit;
  });
  app.addHook('onRequest', async (request, reply) => {
    const given = request.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    void reply.header('x-request-id', id);
  });
  await app.register(helmet, {
    // The api answers JSON and CSV; only /docs serves a page, with its own policy below.
    contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  });
  await app.register(rateLimit, {
    max: limits.ratePerWindow,
    timeWindow: limits.rateWindowMs,
    keyGenerator: rateKeyOf,
    errorResponseBuilder: (_request, context) =>
      new ProblemError(429, 'rate_limited', `at most ${context.max} requests per ${context.after}; retry later`, {
        extensions: { limit: 'requests_per_window', max: context.max },
      }),
  });
  await app.register(etag, { weak: false });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    uiConfig: { docExpansion: 'list', deepLinking: true },
  });
}
