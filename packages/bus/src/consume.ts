import type { EventKey } from '@driftguard/contracts';
import type { JsMsg } from '@nats-io/jetstream';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Bus } from './bus.connection.js';
import { ensureConsumer } from './consumers.js';
import { createMessageProcessor, type ConsumeHandler } from './consume.message.js';
import type { MessagingTables } from './messaging-tables.js';

interface ConsumeSettings<K extends EventKey, DB extends MessagingTables> {
  db: Kysely<DB>;
  bus: Bus;
  /** service name, e.g. `analysis`; with `key` it names the durable consumer */
  service: string;
  key: K;
  log: Logger;
  /** messages handled at once by this instance (default 8) */
  concurrency?: number;
  /**
   * Most events one handler run may take at once, in one transaction per organization (default
   * 1). Taken only from messages already received, so a lone event waits for no batch; under
   * load a handler's events share their commit. For handlers that need no transaction of their own;
   * a `handleBatch` handler receives them together.
   */
  batch?: number;
  /**
   * Which events of a batch may share a transaction: those of one organization (default), or
   * only those of one environment, for handlers that lock an environment-wide row each.
   */
  batchBy?: 'organization' | 'environment';
  /** time a handler has before JetStream redelivers the message (default 30 s) */
  ackWaitMs?: number;
  /** deliveries before a failing message is dead-lettered (default 5) */
  maxDeliver?: number;
  /** delay before the first retry; doubles per delivery (default 1 s) */
  backoffMs?: number;
  /** cap on the retry delay (default 60 s) */
  maxBackoffMs?: number;
  /**
   * Rewrites a payload before it is kept as a dead letter (table and `dg.dlq.<service>`), e.g. to
   * mask the secrets a scan carries; replay then publishes the rewritten payload.
   */
  redactDeadLetter?: (payload: Uint8Array) => Uint8Array;
}

/** What to consume, how, and the `handler` (one event at a time) or `handleBatch` (set-based) that handles it. */
export type ConsumeOptions<K extends EventKey, DB extends MessagingTables> = ConsumeSettings<K, DB> & ConsumeHandler<K, DB>;

export interface Consumption {
  /** the durable consumer name, `<service>_<event-key>` */
  readonly durable: string;
  /** Stops pulling, finishes the messages already received, resolves. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Consumes `key` for `service` from its durable pull consumer, effectively once: each event is
 * validated, recorded in processed_messages and handled in one transaction, then acked. Every
 * instance of a service calling this shares the durable, so work is split, not duplicated.
 */
export async function consume<K extends EventKey, DB extends MessagingTables>(opts: ConsumeOptions<K, DB>): Promise<Consumption> {
  const concurrency = opts.concurrency ?? 8;
  const ackWaitMs = opts.ackWaitMs ?? 30_000;
  const maxDeliver = opts.maxDeliver ?? 5;
  const info = await ensureConsumer(opts.bus, opts.service, opts.key, { ackWaitMs, maxDeliver });
  const durable = info.name;
  const log = opts.log.child({ subsystem: 'bus:consume', consumer: durable });
  const processMessages = createMessageProcessor({
    ...opts,
    durable,
    log,
    maxDeliver,
    backoffMs: opts.backoffMs ?? 1_000,
    maxBackoffMs: opts.maxBackoffMs ?? 60_000,
  });

  const consumer = await opts.bus.js.consumers.get(info.stream_name, durable);
  const batch = Math.max(1, opts.batch ?? 1);
  // A small buffer: a buffered message's ack wait is already running.
  const buffered = concurrency * Math.max(2, batch);
  const messages = await consumer.consume({ max_messages: buffered });
  // Received messages wait here; each of `concurrency` workers takes up to `batch` of them.
  const queue: JsMsg[] = [];
  let received = false;
  let wake: (() => void) | undefined;
  let roomForMore: (() => void) | undefined;
  const signal = () => {
    wake?.();
    wake = undefined;
  };

  const worker = async () => {
    for (;;) {
      if (queue.length === 0) {
        if (received) return;
        await new Promise<void>((resolve) => {
          const previous = wake;
          wake = () => {
            previous?.();
            resolve();
          };
        });
        continue;
      }
      const taken = queue.splice(0, batch);
      roomForMore?.();
      roomForMore = undefined;
      await processMessages(taken).catch((err: unknown) =>
        log.error({ err, seqs: taken.map((m) => m.seq) }, 'message processing crashed; it will be redelivered'),
      );
    }
  };

  const workers = Array.from({ length: concurrency }, worker);
  const loop = (async () => {
    try {
      for await (const msg of messages) {
        queue.push(msg);
        signal();
        while (queue.length >= buffered) await new Promise<void>((resolve) => (roomForMore = resolve));
      }
    } finally {
      received = true;
      signal();
      await Promise.all(workers);
    }
  })();
  log.info({ concurrency, batch, ackWaitMs, maxDeliver }, 'consuming');

  let stopping: Promise<void> | undefined;
  return {
    durable,
    stop() {
      stopping ??= (async () => {
        // ends the iterator after the messages already received; the loop finishes them
        await messages.close();
        await loop;
        log.info('stopped consuming');
      })();
      return stopping;
    },
  };
}
