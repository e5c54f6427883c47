import { z } from 'zod';
import { BusConfigError } from './bus.errors.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const TOKEN = /^[A-Za-z0-9_-]+$/;

const BusConfigSchema = z.object({
  /** First subject token, `dg` in production; a test uses its own to isolate itself. */
  subjectRoot: z.string().regex(TOKEN).default('dg'),
  /** Prefix of every stream name (`DG_DRIFT`, `DG_DLQ`, …). */
  streamPrefix: z.string().regex(TOKEN).default('DG_'),
  /** Replicas per stream: 1 on a single server, 3 in a cluster. */
  replicas: z.number().int().min(1).max(5).default(1),
  /** How long event streams keep messages. */
  maxAgeMs: z
    .number()
    .int()
    .positive()
    .default(7 * DAY_MS),
  /** How long the DLQ stream keeps messages (the dead_letters table is the record). */
  dlqMaxAgeMs: z
    .number()
    .int()
    .positive()
    .default(30 * DAY_MS),
  /** Size cap per stream in bytes, -1 for none; the oldest messages are discarded first. */
  maxBytes: z.number().int().min(-1).default(-1),
  /**
   * JetStream's `Nats-Msg-Id` dedup window. It must outlast the outbox relay's retry horizon
   * (the longest a row that may already be in the stream waits for its next publish), which
   * `createOutboxRelay` checks at start-up. Beyond the window, consumers' processed_messages
   * ledger still stops a duplicate from taking effect twice.
   */
  duplicateWindowMs: z
    .number()
    .int()
    .positive()
    .default(2 * HOUR_MS),
});

/** Stream naming and limits, shared by every unit that talks to the bus. */
export type BusConfig = Readonly<z.output<typeof BusConfigSchema>>;
export type BusConfigInput = z.input<typeof BusConfigSchema>;

/** Fills in defaults and checks the settings against each other. */
export function resolveBusConfig(input: BusConfigInput = {}): BusConfig {
  const parsed = BusConfigSchema.safeParse(input);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ');
    throw new BusConfigError(`invalid bus config: ${detail}`);
  }
  const cfg = parsed.data;
  if (cfg.duplicateWindowMs > cfg.maxAgeMs) {
    throw new BusConfigError('duplicateWindowMs cannot exceed maxAgeMs (JetStream rejects the stream)');
  }
  return Object.freeze(cfg);
}
