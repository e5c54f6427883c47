import { register } from 'node:module';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

export interface TelemetryOptions {
  serviceName: string;
  /** OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); spans go to `<endpoint>/v1/traces`. */
  endpoint?: string | undefined;
  /** Upper bound on the final flush, so a dead collector never holds up exit. */
  flushTimeoutMs?: number;
}

export interface Telemetry {
  /** Flushes pending spans (bounded by `flushTimeoutMs`) and stops the SDK; safe to call twice. */
  shutdown(): Promise<void>;
}

/** Modules the ESM loader hook may wrap; everything else is left to the default loader. */
const INSTRUMENTED_MODULES = ['http', 'node:http', 'https', 'node:https', 'pg'];

/**
 * Starts OpenTelemetry tracing for this process. With an endpoint, spans are batched to OTLP/HTTP
 * and http + pg are instrumented (call it before importing the code that uses them: ESM modules
 * are wrapped only when loaded after the hook is registered). Without one, a tracer provider
 * still records spans and drops them when they end, so trace ids exist for logs and propagate
 * across NATS and HTTP. Metrics and logs exporters are always off: Prometheus serves metrics,
 * stdout serves logs, and an idle OTLP metrics exporter would hold the process open at exit.
 */
export function startTelemetry({ serviceName, endpoint, flushTimeoutMs = 3_000 }: TelemetryOptions): Telemetry {
  const exporting = endpoint !== undefined;
  if (exporting) {
    register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: INSTRUMENTED_MODULES } });
  }
  const spanProcessors: SpanProcessor[] = exporting
    ? [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }))]
    : [new NoopSpanProcessor()];

  const sdk = new NodeSDK({
    serviceName,
    spanProcessors,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: exporting ? [new HttpInstrumentation(), new PgInstrumentation()] : [],
  });
  sdk.start();

  let stopped: Promise<void> | undefined;
  return {
    shutdown() {
      stopped ??= withTimeout(sdk.shutdown(), flushTimeoutMs);
      return stopped;
    },
  };
}

async function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  try {
    await Promise.race([work.catch(() => undefined), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
