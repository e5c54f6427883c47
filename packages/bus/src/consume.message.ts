import { createHash } from 'node:crypto';
import type { EventKey, EventOf } from '@driftguard/contracts';
import { runAsOrg } from '@driftguard/db';
import type { JsMsg } from '@nats-io/jetstream';
import { SpanStatusCode } from '@opentelemetry/api';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { ContractError, PermanentError } from './bus.errors.js';
import type { Bus } from './bus.connection.js';
import { insertDeadLetter, publishDeadLetterCopy, type DeadLetterCode } from './dead-letters.js';
import { parseEventBody } from './event-schema.js';
import { holdOutboxWrites, writeHeldOutbox } from './outbox.enqueue.js';
import type { MessagingTables } from './messaging-tables.js';
import { backoffDelay } from './retry-policy.js';
import { headersToRecord, withBatchConsumerSpan, withConsumerSpan } from './trace-context.js';

/** What a handler receives beside the event. */
export interface HandlerMeta<DB> {
  /** the transaction the message id is recorded in; write the effect with it */
  tx: Transaction<DB>;
  subject: string;
  /** 1 on the first delivery */
  deliveryCount: number;
  streamSeq: number;
  log: Logger;
  headers: Readonly<Record<string, string>>;
}

export type EventHandler<K extends EventKey, DB> = (event: EventOf<K>, meta: HandlerMeta<DB>) => Promise<void>;

/** One event of a batch, with what its handler would receive beside it. */
export interface BatchItem<K extends EventKey, DB> {
  event: EventOf<K>;
  meta: Omit<HandlerMeta<DB>, 'tx'>;
}

/**
 * Handles events received together in one transaction, with set-based reads and writes: one
 * statement for the batch where a per-event handler would run one per event. A lone event comes
 * as a batch of one. Throwing rolls the whole batch back; its events are then retried one by one.
 * `log` is the batch's (the lone message's own for a batch of one): a line per batch saying what
 * became of its events costs less than a line per event.
 */
export type BatchEventHandler<K extends EventKey, DB> = (
  items: readonly BatchItem<K, DB>[],
  tx: Transaction<DB>,
  log: Logger,
) => Promise<void>;

/** A per-event handler, or a batch handler for events that are cheaper handled together. */
export type ConsumeHandler<K extends EventKey, DB> = { handler: EventHandler<K, DB> } | { handleBatch: BatchEventHandler<K, DB> };

/** The batch handler that runs a per-event handler on each item in turn. */
function batchHandlerOf<K extends EventKey, DB>(handling: ConsumeHandler<K, DB>): BatchEventHandler<K, DB> {
  if ('handleBatch' in handling) return handling.handleBatch;
  const { handler } = handling;
  return async (items, tx) => {
    for (const { event, meta } of items)
      await handler(event, {
        tx,
        subject: meta.subject,
        deliveryCount: meta.deliveryCount,
        streamSeq: meta.streamSeq,
        headers: meta.headers,
        // read when the handler logs (a getter: spreading `meta` would make the logger now)
        get log() {
          return meta.log;
        },
      });
  };
}

interface MessageProcessorOptions<DB extends MessagingTables> {
  db: Kysely<DB>;
  bus: Bus;
  service: string;
  durable: string;
  log: Logger;
  maxDeliver: number;
  backoffMs: number;
  maxBackoffMs: number;
  /** Which events of a batch share a transaction (default: one organization's). */
  batchBy?: 'organization' | 'environment';
  /** Rewrites a payload before it is kept as a dead letter (the service's secret masking). */
  redactDeadLetter?: (payload: Uint8Array) => Uint8Array;
}

export type MessageProcessorContext<K extends EventKey, DB extends MessagingTables> = MessageProcessorOptions<DB> & {
  key: K;
} & ConsumeHandler<K, DB>;

/**
 * The ledger key of a message's dead letter: its stream, sequence and time in the stream, hashed
 * into the shape of a UUID. Every delivery of one message has it; a replay is another message,
 * and so is a sequence number reused after the stream was recreated (its time differs).
 */
function deadLetterKey(msg: Pick<JsMsg, 'seq' | 'info'>): string {
  const hex = createHash('sha256')
    .update(`dead-letter\n${msg.info.stream}\n${msg.seq}\n${msg.info.timestampNanos}`)
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A received message whose payload passed its contract. */
interface Parsed<K extends EventKey> {
  msg: JsMsg;
  event: EventOf<K>;
  headers: Record<string, string>;
}

/** Retrying cannot fix these: the wrapper dead-letters them at once. */
function isPermanent(err: unknown): boolean {
  return err instanceof PermanentError || err instanceof ContractError;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Settles messages. One alone: invalid → dead letter + term; already in the ledger → ack;
 * otherwise the handler runs in the ledger's transaction, then ack. A failing handler is nak'ed
 * with growing delays until the last delivery, which is dead-lettered (a PermanentError at
 * once). Several received together share a transaction per organization, falling back to one
 * by one if it fails.
 */
export function createMessageProcessor<K extends EventKey, DB extends MessagingTables>(ctx: MessageProcessorContext<K, DB>) {
  const { db, bus, service, key, durable } = ctx;
  const handleBatch = batchHandlerOf(ctx);

  /**
   * The payload as the dead letter keeps it. A redaction that fails (a body too deep to walk) keeps
   * nothing of it rather than the unchecked body, and never leaves the message to loop.
   */
  const redactedPayload = (msg: JsMsg): Uint8Array => {
    if (!ctx.redactDeadLetter) return msg.data;
    try {
      return ctx.redactDeadLetter(msg.data);
    } catch (err) {
      ctx.log.warn({ err, subject: msg.subject, seq: msg.seq }, 'dead letter payload could not be redacted; it is not kept');
      return new TextEncoder().encode(
        JSON.stringify({ withheld: `payload of ${msg.data.byteLength} bytes not kept: ${describe(err)}` }),
      );
    }
  };

  /** Records `keys` in the ledger in `tx`; returns those that were not there already. */
  const enterLedger = async (tx: Transaction<DB>, keys: readonly string[]): Promise<Set<string>> => {
    const ledger = tx as unknown as Transaction<MessagingTables>;
    const fresh = await ledger
      .insertInto('processed_messages')
      .values([...new Set(keys)].map((message_id) => ({ consumer: durable, message_id })))
      .onConflict((oc) => oc.columns(['consumer', 'message_id']).doNothing())
      .returning('message_id')
      .execute();
    return new Set(fresh.map((r) => r.message_id));
  };

  /**
   * Dead-letters a message once: its ledger entry (keyed by its place in the stream) commits with
   * the dead letter, so a redelivery — the first writer was slow past the ack wait, or died
   * between the insert and the term — only terminates it.
   */
  const deadLetter = async (
    msg: JsMsg,
    headers: Record<string, string>,
    messageId: string | null,
    error: string,
    code: DeadLetterCode,
  ) => {
    const { deliveryCount } = msg.info;
    const payload = redactedPayload(msg);
    const input = {
      service,
      consumer: durable,
      subject: msg.subject,
      messageId,
      payload,
      headers,
      error,
      errorCode: code,
      deliveryCount,
      streamSeq: msg.seq,
    };
    const id = await db
      .transaction()
      .execute(async (tx) => ((await enterLedger(tx, [deadLetterKey(msg)])).size > 0 ? insertDeadLetter(tx, input) : undefined));
    if (id !== undefined) await publishDeadLetterCopy(bus, id, input);
    msg.term();
    if (id === undefined) ctx.log.warn({ subject: msg.subject, seq: msg.seq, deliveryCount }, 'message already dead-lettered');
    else
      ctx.log.error(
        { deadLetterId: id, subject: msg.subject, seq: msg.seq, deliveryCount, code, error },
        'message dead-lettered',
      );
  };

  /**
   * What a handler receives beside one event. Its logger is made when the handler first logs: a
   * child logger's bindings pass the secret redaction, which costs as much as a log line, and
   * many messages of a batch log nothing of their own.
   */
  const metaOf = (msg: JsMsg, eventId: string, headers: Record<string, string>): Omit<HandlerMeta<DB>, 'tx'> => {
    const { deliveryCount } = msg.info;
    let child: Logger | undefined;
    return {
      subject: msg.subject,
      deliveryCount,
      streamSeq: msg.seq,
      headers,
      get log() {
        child ??= ctx.log.child({ subject: msg.subject, seq: msg.seq, deliveryCount, eventId });
        return child;
      },
    };
  };

  /**
   * Runs the handler unless the ledger already holds the event; true when it ran. It acts for
   * the event's organization: on a tenant-scoped pool, row-level security confines it there.
   */
  const runOnce = (event: EventOf<K>, msg: JsMsg, headers: Record<string, string>, log: Logger) =>
    runAsOrg(event.orgId, () =>
      db.transaction().execute(async (tx) => {
        if ((await enterLedger(tx, [event.id])).size === 0) return false;
        const meta = { subject: msg.subject, deliveryCount: msg.info.deliveryCount, streamSeq: msg.seq, log, headers };
        await handleBatch([{ event, meta }], tx, log);
        return true;
      }),
    );

  async function processMessage(msg: JsMsg): Promise<void> {
    const headers = headersToRecord(msg.headers);
    const { deliveryCount } = msg.info;
    const attributes = {
      'messaging.system': 'nats',
      'messaging.operation.type': 'process',
      'messaging.destination.name': msg.subject,
      'messaging.consumer.group.name': durable,
    };
    await withConsumerSpan(`process ${key}`, headers, attributes, async (span) => {
      const where = { subject: msg.subject, seq: msg.seq, deliveryCount };
      try {
        const parsed = parseEventBody(key, msg.data);
        if (!parsed.ok) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: parsed.code });
          return await deadLetter(msg, headers, null, parsed.error, parsed.code);
        }
        const { event } = parsed;
        span.setAttribute('messaging.message.id', event.id);
        const log = ctx.log.child({ ...where, eventId: event.id });
        try {
          const ran = await runOnce(event, msg, headers, log);
          msg.ack();
          if (!ran) log.debug('already processed; acknowledged');
        } catch (err) {
          span.recordException(err instanceof Error ? err : String(err));
          span.setStatus({ code: SpanStatusCode.ERROR, message: describe(err) });
          if (isPermanent(err) || deliveryCount >= ctx.maxDeliver) {
            const code = isPermanent(err) ? 'permanent_failure' : 'retries_exhausted';
            return await deadLetter(msg, headers, event.id, describe(err), code);
          }
          const delay = backoffDelay(deliveryCount, ctx.backoffMs, ctx.maxBackoffMs);
          log.warn({ err, retryInMs: delay }, 'handler failed; will retry');
          msg.nak(delay);
        }
      } catch (err) {
        // settling failed (e.g. the dead-letter insert): leave the message to a later delivery
        ctx.log.error({ err, ...where }, 'could not settle message; it will be redelivered');
        msg.nak(backoffDelay(deliveryCount, ctx.backoffMs, ctx.maxBackoffMs));
      }
    });
  }

  /**
   * Handles the valid events of one organization one after another in a single transaction
   * (one ledger insert, one commit) and acks them all; an event the ledger holds already is only
   * acked. If the transaction fails, nothing of it stays and the caller settles each message
   * alone, with its own retries and dead letter.
   */
  const runBatch = (orgId: number, items: readonly Parsed<K>[]) => {
    const attributes = {
      'messaging.system': 'nats',
      'messaging.operation.type': 'process',
      'messaging.consumer.group.name': durable,
      'messaging.batch.message_count': items.length,
    };
    return withBatchConsumerSpan(
      `process ${key}`,
      items.map((i) => i.headers),
      attributes,
      () =>
        runAsOrg(orgId, () =>
          db.transaction().execute(async (tx) => {
            holdOutboxWrites(tx);
            const fresh = await enterLedger(
              tx,
              items.map((i) => i.event.id),
            );
            // the same event twice in one batch (a redelivery) runs once
            const batch = items.flatMap(({ msg, event, headers }) =>
              fresh.delete(event.id) ? [{ event, meta: metaOf(msg, event.id, headers) }] : [],
            );
            if (batch.length > 0) await handleBatch(batch, tx, ctx.log);
            await writeHeldOutbox(tx);
          }),
        ),
    );
  };

  /**
   * Settles messages received together. Under load a consumer takes several at once, and the
   * valid events of one organization share a transaction: one commit instead of one per event.
   * Invalid payloads, lone events and the events of a batch whose transaction failed are
   * settled one by one, exactly as {@link processMessage} settles them.
   */
  async function processMessages(msgs: readonly JsMsg[]): Promise<void> {
    const byScope = new Map<string, Parsed<K>[]>();
    const alone: JsMsg[] = [];
    for (const msg of msgs) {
      const parsed = msgs.length > 1 ? parseEventBody(key, msg.data) : undefined;
      if (!parsed?.ok) {
        alone.push(msg);
        continue;
      }
      const { orgId, envId } = parsed.event;
      const scope = ctx.batchBy === 'environment' ? `${orgId}.${envId}` : `${orgId}`;
      const group = byScope.get(scope) ?? [];
      group.push({ msg, event: parsed.event, headers: headersToRecord(msg.headers) });
      byScope.set(scope, group);
    }
    for (const items of byScope.values()) {
      if (items.length === 1) {
        alone.push(items[0]!.msg);
        continue;
      }
      try {
        await runBatch(items[0]!.event.orgId, items);
      } catch (err) {
        ctx.log.warn({ err, messages: items.length }, 'batch failed; settling its messages one by one');
        alone.push(...items.map((i) => i.msg));
        continue;
      }
      for (const { msg } of items) msg.ack();
    }
    for (const msg of alone) await processMessage(msg);
  }

  return processMessages;
}
