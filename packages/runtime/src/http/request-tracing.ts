import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Metrics } from './metrics.js';

/**
 * One server span per request (continuing an incoming `traceparent`) made active for the rest of
 * the request, so logs and outgoing calls carry its ids; and the request-duration histogram.
 */
export function installRequestTracing(app: FastifyInstance, serviceName: string, metrics: Metrics): void {
  const tracer = trace.getTracer(`driftguard-${serviceName}`);
  const spans = new WeakMap<FastifyRequest, Span>();

  app.addHook('onRequest', (request, _reply, done) => {
    const parent = trace.getActiveSpan() ? context.active() : propagation.extract(ROOT_CONTEXT, request.headers);
    const route = routeOf(request);
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, 'http.route': route, 'url.path': request.url.split('?')[0] },
      },
      parent,
    );
    spans.set(request, span);
    // The rest of the hook chain and the handler run inside this callback, so the span is active
    // for all of their async continuations.
    context.with(trace.setSpan(parent, span), done);
  });

  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    const route = routeOf(request);
    const status = reply.statusCode;
    metrics.httpRequestDuration.observe({ method: request.method, route, status_code: String(status) }, reply.elapsedTime / 1000);
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      spans.delete(request);
    }
    done();
  });
}

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}
