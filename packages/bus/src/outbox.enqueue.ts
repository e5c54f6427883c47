import { catalog, DEFAULT_SUBJECT_ROOT, subjectFor, type DataOf, type EventKey, type EventOf } from '@driftguard/contracts';
import type { Insertable, Transaction } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { validateEvent } from './event-schema.js';
import type { MessagingTables } from './messaging-tables.js';
import { currentTraceHeaders } from './trace-context.js';

export interface EnqueueOptions {
  /** envelope id (a UUIDv7); a new one by default. Reusing an id makes the event a duplicate. */
  id?: string;
  /** when the fact happened; now by default */
  occurredAt?: Date | string;
  /** first subject token; pass `bus.config.subjectRoot` when it is not the default `dg` */
  subjectRoot?: string;
}

type OutboxDb = Pick<MessagingTables, 'outbox'>;
type OutboxRow = Insertable<MessagingTables['outbox']>;

/**
 * Outbox rows held back per transaction (see {@link holdOutboxWrites}): a consumer handling many
 * events in one transaction writes their events in one statement instead of one each.
 */
const held = new WeakMap<object, OutboxRow[]>();

/** From now on, events enqueued in `tx` are held and written by {@link writeHeldOutbox}. */
export function holdOutboxWrites<DB>(tx: Transaction<DB>): void {
  if (!held.has(tx)) held.set(tx, []);
}

/** Writes the events held in `tx` (one statement per thousand); call before it commits. */
export async function writeHeldOutbox<DB>(tx: Transaction<DB>): Promise<void> {
  const rows = held.get(tx);
  held.delete(tx);
  if (!rows || rows.length === 0) return;
  const outboxTx = tx as unknown as Transaction<OutboxDb>;
  for (let i = 0; i < rows.length; i += 1_000)
    await outboxTx
      .insertInto('outbox')
      .values(rows.slice(i, i + 1_000))
      .execute();
}

/**
 * Writes an event to the outbox in the caller's transaction, so it is published if and only if
 * the transaction commits (at once, or with the others at its end where the consumer holds them). Validates `data` against the catalog (throws ContractError naming the
 * failing paths), assigns a UUIDv7 id, builds the subject and captures the active trace context.
 * Returns the envelope as it will be published.
 */
export async function enqueue<K extends EventKey, DB extends OutboxDb>(
  tx: Transaction<DB>,
  key: K,
  orgId: number,
  envId: number,
  data: DataOf<K>,
  opts: EnqueueOptions = {},
): Promise<EventOf<K>> {
  const occurredAt = opts.occurredAt ?? new Date();
  const envelope = validateEvent(key, {
    id: opts.id ?? uuidv7(),
    type: catalog[key].type,
    occurredAt: occurredAt instanceof Date ? occurredAt.toISOString() : occurredAt,
    orgId,
    envId,
    data,
  });
  const subject = subjectFor(key, orgId, envId, opts.subjectRoot ?? DEFAULT_SUBJECT_ROOT);
  const row: OutboxRow = {
    id: envelope.id,
    subject,
    event_type: key,
    payload: JSON.stringify(envelope),
    headers: JSON.stringify(currentTraceHeaders()),
  };
  const holding = held.get(tx);
  if (holding) {
    holding.push(row);
    return envelope;
  }
  // Kysely cannot narrow Transaction<DB> to the tables this function touches.
  const outboxTx = tx as unknown as Transaction<OutboxDb>;
  await outboxTx.insertInto('outbox').values(row).execute();
  return envelope;
}
