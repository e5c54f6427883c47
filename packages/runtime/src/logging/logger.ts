import { isSpanContextValid, trace } from '@opentelemetry/api';
import {
  destination as fileDestination,
  pino,
  stdSerializers,
  type DestinationStream,
  type Logger,
  type LevelWithSilent,
} from 'pino';
import { REDACT_PATHS, REDACTED, scrubText } from './redaction.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: LevelWithSilent;
  /** The process or service name, e.g. `ingest` or `driftguard` under `dg up`. */
  name: string;
  /** Where lines go; stdout when omitted. Tests pass a stream to capture output. */
  destination?: DestinationStream;
}

/**
 * JSON logger for every DriftGuard process: secrets redacted by path, error text scrubbed of
 * credentials, and the active OpenTelemetry trace and span ids on each line.
 */
export function createLogger({ level, name, destination }: LoggerOptions): Logger {
  const options = {
    level,
    name,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    serializers: { err: serializeError, error: serializeError },
    mixin: activeTraceIds,
  };
  // Synchronous stdout: lines stay in order and the last ones are written before process.exit().
  return pino(options, destination ?? fileDestination({ dest: 1, sync: true }));
}

/** `log.child({ subsystem })`, so every line of a subsystem says where it came from. */
export function subsystemLogger(log: Logger, subsystem: string): Logger {
  return log.child({ subsystem });
}

function activeTraceIds(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const ctx = span.spanContext();
  return isSpanContextValid(ctx) ? { trace_id: ctx.traceId, span_id: ctx.spanId } : {};
}

function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const out = stdSerializers.err(err);
  out.message = scrubText(out.message);
  if (out.stack) out.stack = scrubText(out.stack);
  return out;
}
