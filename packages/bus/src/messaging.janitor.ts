import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Bus } from './bus.connection.js';
import type { MessagingTables } from './messaging-tables.js';
import { sleep } from './retry-policy.js';

export interface MessagingJanitorOptions<DB extends MessagingTables> {
  db: Kysely<DB>;
  bus: Bus;
  log: Logger;
  /** how long published outbox rows are kept (default 1 day; at least the dedup window) */
  outboxRetentionMs?: number;
  /** how long processed-message ids are kept (default: the streams' max age plus 1 day) */
  processedRetentionMs?: number;
  /** time between rounds (default 10 min) */
  intervalMs?: number;
  /** rows deleted per statement, so no round holds long locks (default 5,000) */
  batchSize?: number;
}

export interface MessagingJanitor {
  start(): void;
  /** One round now; resolves with what it deleted. */
  runOnce(): Promise<{ outbox: number; processed: number }>;
  stop(): Promise<void>;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * Keeps the messaging tables from growing without end. Published outbox rows are history once
 * JetStream's dedup window has passed; a processed-message id is needed only while its message
 * can still be redelivered, i.e. while the stream may hold it (max age), so both are deleted
 * after a retention that outlasts those. Unpublished outbox rows are never touched.
 */
export function createMessagingJanitor<DB extends MessagingTables>(opts: MessagingJanitorOptions<DB>): MessagingJanitor {
  const db = opts.db as unknown as Kysely<MessagingTables>;
  const outboxRetentionMs = Math.max(opts.outboxRetentionMs ?? DAY, opts.bus.config.duplicateWindowMs);
  const processedRetentionMs = Math.max(opts.processedRetentionMs ?? opts.bus.config.maxAgeMs + DAY, opts.bus.config.maxAgeMs);
  const intervalMs = opts.intervalMs ?? 10 * 60_000;
  const batchSize = opts.batchSize ?? 5_000;
  const log = opts.log.child({ subsystem: 'bus:janitor' });
  const stopping = new AbortController();
  let loop: Promise<void> | undefined;

  const deleteOld = async (statement: () => Promise<{ numAffectedRows?: bigint }>): Promise<number> => {
    let total = 0;
    for (;;) {
      const n = Number((await statement()).numAffectedRows ?? 0);
      total += n;
      if (n < batchSize || stopping.signal.aborted) return total;
    }
  };

  const runOnce = async () => {
    const outbox = await deleteOld(() =>
      sql`delete from outbox where id in (
            select id from outbox
            where published_at is not null and published_at < now() - make_interval(secs => ${outboxRetentionMs / 1000})
            limit ${batchSize} for update skip locked)`.execute(db),
    );
    const processed = await deleteOld(() =>
      sql`delete from processed_messages where (consumer, message_id) in (
            select consumer, message_id from processed_messages
            where processed_at < now() - make_interval(secs => ${processedRetentionMs / 1000})
            limit ${batchSize} for update skip locked)`.execute(db),
    );
    if (outbox + processed > 0) log.info({ outbox, processed }, 'pruned messaging tables');
    return { outbox, processed };
  };

  return {
    start() {
      if (loop) return;
      loop = (async () => {
        while (!stopping.signal.aborted) {
          try {
            await runOnce();
          } catch (err) {
            log.warn({ err }, 'pruning messaging tables failed; will try again');
          }
          await sleep(intervalMs, stopping.signal);
        }
      })();
    },
    runOnce,
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
