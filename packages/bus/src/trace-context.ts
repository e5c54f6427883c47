import { context, propagation, ROOT_CONTEXT, SpanKind, trace, type Context, type Link, type Span } from '@opentelemetry/api';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core';

export const tracer = trace.getTracer('@driftguard/bus');

/** W3C `traceparent`/`tracestate` of the active context (empty without an OpenTelemetry SDK). */
export function currentTraceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The producer's context carried in message headers. */
export function producerContext(headers: Readonly<Record<string, string>>): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/**
 * Runs `fn` in a consumer span for one message: a child of the producer's context when the
 * headers carry one, and linked to it (messaging conventions), so the trace crosses NATS.
 */
export function withConsumerSpan<T>(
  name: string,
  headers: Readonly<Record<string, string>>,
  attributes: Record<string, string | number>,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = producerContext(headers);
  const producer = trace.getSpanContext(parent);
  const links: Link[] = producer ? [{ context: producer }] : [];
  return tracer.startActiveSpan(name, { kind: SpanKind.CONSUMER, links, attributes }, parent, async (span) => {
    try {
      return await fn(span);
    } finally {
      span.end();
    }
  });
}

/**
 * Runs `fn` in one consumer span for messages handled together, linked to each producer's
 * context (the messaging conventions' batch receive): the span has no single parent.
 */
export function withBatchConsumerSpan<T>(
  name: string,
  headers: readonly Readonly<Record<string, string>>[],
  attributes: Record<string, string | number>,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const links: Link[] = [];
  for (const h of headers) {
    const producer = trace.getSpanContext(producerContext(h));
    if (producer) links.push({ context: producer });
  }
  return tracer.startActiveSpan(name, { kind: SpanKind.CONSUMER, links, attributes }, async (span) => {
    try {
      return await fn(span);
    } finally {
      span.end();
    }
  });
}

/** NATS headers as a plain record (first value of each key). */
export function headersToRecord(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const k of h.keys()) out[k] = h.get(k);
  return out;
}

/** A plain record as NATS headers. Values lose CR/LF, which the header format cannot carry. */
export function recordToHeaders(record: Readonly<Record<string, string>>): MsgHdrs {
  const h = natsHeaders();
  for (const [k, v] of Object.entries(record)) h.set(k, v.replace(/[\r\n]+/g, ' '));
  return h;
}
