import type { Kysely } from 'kysely';
import type { Bus } from './bus.connection.js';
import { insertDeadLetter, publishDeadLetterCopy, type DeadLetterInput } from './dead-letters.js';
import { removeFromOutbox, type ClaimedOutboxRow, type OutboxDb } from './outbox.queries.js';
import type { PermanentRefusalCode } from './outbox.refusals.js';

/** `dead_letters.consumer` of letters the relay writes: the outbox, not a consumer, gave up. */
export const OUTBOX_RELAY_CONSUMER = 'outbox-relay';

/**
 * Moves an outbox row NATS refused for good into `dead_letters` (one transaction: the row leaves
 * the outbox exactly when its letter exists), then copies it to `<root>.dlq.<service>`.
 * `dg dlq replay` republishes it once the cause is fixed (the stream added, max_payload raised).
 * Returns the dead letter id, or undefined when the row was published meanwhile.
 */
export async function deadLetterOutboxRow(
  db: Kysely<OutboxDb>,
  bus: Bus,
  service: string,
  row: ClaimedOutboxRow,
  body: Uint8Array,
  refusal: { code: PermanentRefusalCode; error: string },
): Promise<number | undefined> {
  const input: DeadLetterInput = {
    service,
    consumer: OUTBOX_RELAY_CONSUMER,
    subject: row.subject,
    messageId: row.id,
    payload: body,
    headers: row.headers ?? {},
    error: refusal.error,
    errorCode: refusal.code,
    deliveryCount: row.attempts,
    streamSeq: null,
  };
  const id = await db
    .transaction()
    .execute(async (tx) => ((await removeFromOutbox(tx, row.id)) ? insertDeadLetter<OutboxDb>(tx, input) : undefined));
  if (id !== undefined) await publishDeadLetterCopy(bus, id, input);
  return id;
}
