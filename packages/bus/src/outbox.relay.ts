import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { BusConfigError } from './bus.errors.js';
import type { Bus } from './bus.connection.js';
import { deadLetterOutboxRow } from './outbox.dead-letter.js';
import {
  claimOutboxBatch,
  markOutboxFailed,
  markOutboxPublished,
  type ClaimedOutboxRow,
  type OutboxDb,
} from './outbox.queries.js';
import { classifyPublishFailure } from './outbox.refusals.js';
import { createWakeUp, listenForOutbox } from './outbox.wake-up.js';
import { backoffDelay, sleep } from './retry-policy.js';
import { recordToHeaders } from './trace-context.js';

export interface OutboxRelayOptions<DB extends OutboxDb> {
  db: Kysely<DB>;
  bus: Bus;
  log: Logger;
  /** rows claimed and published per round (default 100) */
  batchSize?: number;
  /** poll when no notification arrives (default 1000 ms) */
  pollIntervalMs?: number;
  /** how long a claim lasts; must cover a batch's publishes (default 30 s) */
  leaseMs?: number;
  /** PubAck timeout per message (default 5 s) */
  publishTimeoutMs?: number;
  /** cap on the delay before a failed row is retried (default 60 s) */
  maxRetryDelayMs?: number;
  /** PostgreSQL URL for a dedicated LISTEN connection (wake-up hint); polling only when absent */
  listenUrl?: string;
  /** `dead_letters.service` of rows NATS refuses for good, and their `dg.dlq.<service>` subject (default `outbox`) */
  service?: string;
}

export interface OutboxRelay {
  start(): void;
  /** Finishes the batch in hand (publishes and marks it), then stops. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The longest a row that may already sit in JetStream waits for its next publish: a relay that
 * died after the PubAck but before marking the row leaves it leased for `leaseMs`; a failed
 * publish holds it back for at most `maxRetryDelayMs`; then up to one poll interval passes.
 * JetStream's dedup window must be longer, so the republish is recognised as a duplicate.
 */
export function relayRetryHorizonMs(o: { leaseMs: number; maxRetryDelayMs: number; pollIntervalMs: number }): number {
  return Math.max(o.leaseMs, o.maxRetryDelayMs) + o.pollIntervalMs;
}

/**
 * Publishes outbox rows to JetStream with `Nats-Msg-Id` = event id. Rows are leased with
 * `FOR UPDATE SKIP LOCKED` + `claimed_until`, published, and marked after their PubAck. A relay
 * killed mid-batch loses nothing: its lease expires and another relay republishes, which
 * JetStream drops as duplicates within the dedup window. Any number of relays may run.
 * A row NATS can never accept as it stands (larger than max_payload, a subject no stream
 * captures) is dead-lettered on its first refusal; only transient failures are retried.
 */
export function createOutboxRelay<DB extends OutboxDb>(opts: OutboxRelayOptions<DB>): OutboxRelay {
  const batchSize = opts.batchSize ?? 100;
  const pollIntervalMs = opts.pollIntervalMs ?? 1_000;
  const leaseMs = opts.leaseMs ?? 30_000;
  const publishTimeoutMs = opts.publishTimeoutMs ?? 5_000;
  const maxRetryDelayMs = opts.maxRetryDelayMs ?? 60_000;
  const horizon = relayRetryHorizonMs({ leaseMs, maxRetryDelayMs, pollIntervalMs });
  if (leaseMs < 2 * publishTimeoutMs) {
    throw new BusConfigError(`leaseMs (${leaseMs}) must be at least twice publishTimeoutMs (${publishTimeoutMs})`);
  }
  if (opts.bus.config.duplicateWindowMs <= horizon) {
    throw new BusConfigError(
      `duplicateWindowMs (${opts.bus.config.duplicateWindowMs}) must exceed the relay's retry horizon (${horizon} ms)`,
    );
  }

  // Kysely cannot narrow Kysely<DB> to the tables the relay touches.
  const db = opts.db as unknown as Kysely<OutboxDb>;
  const { bus } = opts;
  const service = opts.service ?? 'outbox';
  const log = opts.log.child({ subsystem: 'bus:outbox-relay' });
  const stopping = new AbortController();
  const wakeUp = createWakeUp();
  let loop: Promise<void> | undefined;
  let listener: { close(): Promise<void> } | undefined;
  const encoder = new TextEncoder();

  const publish = (row: ClaimedOutboxRow, body: Uint8Array) =>
    bus.js.publish(row.subject, body, {
      msgID: row.id,
      headers: recordToHeaders(row.headers ?? {}),
      timeout: publishTimeoutMs,
    });

  /** Dead-letters a row NATS refused for good; holds a transiently refused one back with backoff. */
  const handleFailure = async (row: ClaimedOutboxRow, body: Uint8Array, reason: unknown): Promise<'dead_lettered' | 'retry'> => {
    const refusal = await classifyPublishFailure(bus, row.subject, body.byteLength, reason);
    if (refusal.permanent) {
      const deadLetterId = await deadLetterOutboxRow(db, bus, service, row, body, refusal);
      log.error(
        { eventId: row.id, subject: row.subject, code: refusal.code, deadLetterId, error: refusal.error },
        'outbox event refused for good; dead-lettered',
      );
      return 'dead_lettered';
    }
    await markOutboxFailed(db, row.id, refusal.error, backoffDelay(row.attempts, 1_000, maxRetryDelayMs));
    return 'retry';
  };

  /** One round; returns how many rows were claimed and how many of them failed transiently. */
  const relayBatch = async (): Promise<{ claimed: number; failed: number }> => {
    const rows = await claimOutboxBatch(db, batchSize, leaseMs);
    if (rows.length === 0) return { claimed: 0, failed: 0 };
    const bodies = rows.map((row) => encoder.encode(JSON.stringify(row.payload)));
    const results = await Promise.allSettled(rows.map((row, i) => publish(row, bodies[i]!)));
    await markOutboxPublished(
      db,
      rows.filter((_, i) => results[i]!.status === 'fulfilled').map((r) => r.id),
    );
    let failed = 0;
    for (const [i, r] of results.entries()) {
      if (r.status === 'fulfilled') continue;
      if ((await handleFailure(rows[i]!, bodies[i]!, r.reason)) === 'retry') failed++;
    }
    if (failed > 0) log.warn({ failed, claimed: rows.length }, 'outbox publishes failed; rows will be retried');
    return { claimed: rows.length, failed };
  };

  const run = async () => {
    let failureStreak = 0;
    while (!stopping.signal.aborted) {
      try {
        const { claimed, failed } = await relayBatch();
        failureStreak = claimed > 0 && failed === claimed ? failureStreak + 1 : 0;
        if (failureStreak > 0) await sleep(backoffDelay(failureStreak, 500, maxRetryDelayMs), stopping.signal);
        else if (claimed < batchSize) await wakeUp.wait(pollIntervalMs, stopping.signal);
      } catch (err) {
        failureStreak++;
        log.error({ err }, 'outbox relay round failed');
        await sleep(backoffDelay(failureStreak, 500, maxRetryDelayMs), stopping.signal);
      }
    }
  };

  return {
    start() {
      if (loop || stopping.signal.aborted) return;
      if (opts.listenUrl) listener = listenForOutbox(opts.listenUrl, () => wakeUp.wake(), log);
      loop = run();
      log.info({ batchSize, leaseMs, horizonMs: horizon }, 'outbox relay started');
    },
    async stop() {
      stopping.abort();
      await loop;
      await listener?.close();
    },
  };
}
