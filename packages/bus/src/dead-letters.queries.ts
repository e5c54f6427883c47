import { sql, type Kysely, type Selectable } from 'kysely';
import { DeadLetterNotFoundError } from './bus.errors.js';
import type { Bus } from './bus.connection.js';
import { carriedHeaders, type DeadLettersDb } from './dead-letters.js';
import type { DeadLettersTable } from './messaging-tables.js';
import { recordToHeaders } from './trace-context.js';

/** A dead letter as the CLI and API show it. */
export interface DeadLetter {
  id: number;
  service: string;
  consumer: string;
  subject: string;
  messageId: string | null;
  /** the raw body as received */
  payload: string;
  headers: Record<string, string>;
  error: string;
  errorCode: string;
  deliveryCount: number;
  streamSeq: number | null;
  createdAt: Date;
  replayedAt: Date | null;
  replayCount: number;
}

export interface ListDeadLettersOptions {
  service?: string;
  /** newest first; default 50, at most 1000 */
  limit?: number;
  /** include letters already replayed (default false) */
  includeReplayed?: boolean;
}

export async function listDeadLetters<DB extends DeadLettersDb>(
  db: Kysely<DB>,
  opts: ListDeadLettersOptions = {},
): Promise<DeadLetter[]> {
  let q = (db as unknown as Kysely<DeadLettersDb>).selectFrom('dead_letters').selectAll();
  if (opts.service) q = q.where('service', '=', opts.service);
  if (!opts.includeReplayed) q = q.where('replayed_at', 'is', null);
  const rows = await q
    .orderBy('id', 'desc')
    .limit(Math.min(opts.limit ?? 50, 1_000))
    .execute();
  return rows.map(toDeadLetter);
}

export interface ReplayResult {
  deadLetter: DeadLetter;
  /** stream sequence of the republished message */
  streamSeq: number;
}

/**
 * Republishes a dead letter's original body to its original subject and marks it replayed.
 * The `Nats-Msg-Id` is `<envelope id>:replay:<n>` so JetStream's dedup window does not swallow it,
 * while a retried replay of the same `n` still deduplicates. Consumers key idempotency on the
 * envelope id, which the failed attempt never recorded (its transaction rolled back), so the
 * replay is processed once; consumers that did process it skip it.
 */
export async function replayDeadLetter<DB extends DeadLettersDb>(db: Kysely<DB>, bus: Bus, id: number): Promise<ReplayResult> {
  return (db as unknown as Kysely<DeadLettersDb>).transaction().execute(async (tx) => {
    const row = await tx.selectFrom('dead_letters').selectAll().where('id', '=', String(id)).forUpdate().executeTakeFirst();
    if (!row) throw new DeadLetterNotFoundError(id);
    const replayCount = row.replay_count + 1;
    const ack = await bus.js.publish(row.subject, row.payload, {
      msgID: `${row.message_id ?? `dead-letter-${id}`}:replay:${replayCount}`,
      headers: recordToHeaders({ ...carriedHeaders(row.headers ?? {}), 'DG-Replay-Of': String(id) }),
    });
    const updated = await tx
      .updateTable('dead_letters')
      .set({ replayed_at: sql<Date>`now()`, replay_count: replayCount })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    bus.log.info({ deadLetterId: id, subject: row.subject, replayCount, seq: ack.seq }, 'dead letter replayed');
    return { deadLetter: toDeadLetter(updated), streamSeq: ack.seq };
  });
}

function toDeadLetter(r: Selectable<DeadLettersTable>): DeadLetter {
  return {
    id: Number(r.id),
    service: r.service,
    consumer: r.consumer,
    subject: r.subject,
    messageId: r.message_id,
    payload: r.payload,
    headers: r.headers ?? {},
    error: r.error,
    errorCode: r.error_code,
    deliveryCount: r.delivery_count,
    streamSeq: r.stream_seq === null ? null : Number(r.stream_seq),
    createdAt: r.created_at,
    replayedAt: r.replayed_at,
    replayCount: r.replay_count,
  };
}
