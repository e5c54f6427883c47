import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { tokenAuthPlugin } from '../auth/require-token.js';
import type { TokenAuth } from '../auth/token-auth.js';
import type { Logger } from '../logging/logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { installOpenApi } from './openapi.js';
import { parseJsonBody } from './json-body.js';
import { ProblemError } from '../errors.js';
import { createErrorHandler, notFoundHandler, problemResponses, type ErrorMapper } from './problem.js';
import { runReadinessChecks, type ReadinessCheck } from './readiness.js';
import { installRequestTracing } from './request-tracing.js';

/** The fastify instance every service registers its routes on (zod type provider). */
export type HttpApp = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

export interface HttpServerOptions {
  log: Logger;
  serviceName: string;
  /** Readiness probes, e.g. `{ database, nats }`; `/readyz` is 200 only when all pass. */
  checks: Record<string, ReadinessCheck>;
  /** Per-check bound for `/readyz` (default 2 s). */
  readinessTimeoutMs?: number;
  /** A registry to share; a fresh one with default process metrics otherwise. */
  metrics?: Metrics;
  /** Maps the service's own named errors to problem JSON before the runtime's defaults. */
  mapError?: ErrorMapper;
  /** Largest accepted request body in bytes (default 10 MiB: scans can be large). */
  bodyLimit?: number;
  /** Token verification and environment lookup for `requireToken` (the service shell always gives it). */
  auth?: TokenAuth;
  /** Observes every route as it is registered (tests compare them with `/openapi.json`). */
  onRoute?: (route: RouteOptions) => void;
}

export interface HttpServer {
  readonly app: HttpApp;
  readonly metrics: Metrics;
  /** Listens on `port` (0 picks a free one) and returns the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /** From now on `/readyz` answers 503 `shutting_down`, so load balancers stop sending work. */
  markShuttingDown(): void;
  /** Stops accepting connections and waits for in-flight requests; safe to call twice. */
  close(): Promise<void>;
}

const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics', '/openapi.json']);

const Health = z.object({ status: z.literal('ok') });
const Readiness = z.object({
  status: z.enum(['ready', 'not_ready', 'shutting_down']),
  checks: z.record(z.string(), z.enum(['ok', 'failed', 'timeout'])),
});
const MetricsText = { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: z.string() } } };

/**
 * A fastify server with the house conventions: zod validation and serialization, problem JSON
 * errors, a span and a duration sample per request, token auth for `requireToken`, and
 * `/healthz`, `/readyz`, `/metrics` and `/openapi.json` (every route's schemas, OpenAPI 3.1).
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { log, serviceName, checks, readinessTimeoutMs = 2_000, mapError, bodyLimit = 10 * 1024 * 1024, auth, onRoute } = options;
  const metrics = options.metrics ?? createMetrics(serviceName);
  const httpLog = log.child({ subsystem: `${serviceName}:http` });
  const handleError = createErrorHandler(httpLog, mapError);

  const app = Fastify({
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- widens pino to fastify's logger type for the app's generics
    loggerInstance: httpLog as FastifyBaseLogger,
    // One line per request from the onResponse hook below, instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // A URL the router cannot decode (bad percent-encoding, bytes that are not UTF-8) is answered
    // in the one problem format too.
    frameworkErrors: (error, request, reply) => {
      const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 400;
      const code = (error.code ?? 'bad_request').toLowerCase().replace(/^fst_err_/, '');
      void handleError(new ProblemError(status, code, `the request cannot be read: ${error.message}`), request, reply);
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(notFoundHandler);
  if (onRoute) app.addHook('onRoute', onRoute);
  installOpenApi(app, serviceName);
  if (auth) void app.register(tokenAuthPlugin, auth);
  installRequestTracing(app, serviceName, metrics);

  app.addHook('onResponse', async (request, reply) => {
    const path = request.routeOptions.url ?? request.url;
    const level = QUIET_ROUTES.has(path) ? 'debug' : 'info';
    httpLog[level](
      { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request completed',
    );
  });

  let shuttingDown = false;

  // In a plugin, so that they are added after @fastify/swagger is loaded and appear in the document.
  void app.register(async (scope) => {
    scope.get('/healthz', { schema: { summary: 'Liveness', response: { 200: Health, ...problemResponses() } } }, async () => ({
      status: 'ok' as const,
    }));

    scope.get(
      '/readyz',
      {
        schema: {
          summary: 'Readiness: database and NATS reachable',
          response: { 200: Readiness, 503: Readiness, ...problemResponses() },
        },
      },
      async (_request, reply) => {
        if (shuttingDown) return reply.status(503).send({ status: 'shutting_down', checks: {} });
        const report = await runReadinessChecks(checks, readinessTimeoutMs, httpLog);
        return reply
          .status(report.ready ? 200 : 503)
          .send({ status: report.ready ? 'ready' : 'not_ready', checks: report.checks });
      },
    );

    scope.get(
      '/metrics',
      {
        schema: {
          summary: 'Prometheus metrics',
          produces: ['text/plain'],
          response: { 200: MetricsText, ...problemResponses() },
        },
      },
      async (_request, reply) => {
        const body = await metrics.registry.metrics();
        return reply.type(metrics.registry.contentType).send(body);
      },
    );
  });

  let closed: Promise<void> | undefined;
  return {
    app,
    metrics,
    async listen(port, host = '0.0.0.0') {
      await app.listen({ port, host });
      const address = app.server.address();
      return typeof address === 'object' && address !== null ? address.port : port;
    },
    markShuttingDown() {
      shuttingDown = true;
    },
    close() {
      shuttingDown = true;
      closed ??= app.close();
      return closed;
    },
  };
}
