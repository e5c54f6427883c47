import { dlqSubject } from '@driftguard/contracts';
import type { Kysely } from 'kysely';
import type { Bus } from './bus.connection.js';
import type { MessagingTables } from './messaging-tables.js';
import { recordToHeaders } from './trace-context.js';

export type DeadLettersDb = Pick<MessagingTables, 'dead_letters'>;

/**
 * Why a message was dead-lettered (`dead_letters.error_code`). The consume wrapper writes the
 * first four; the outbox relay writes `payload_too_large` and `no_stream` for events NATS can
 * never accept as they stand.
 */
export type DeadLetterCode =
  'invalid_json' | 'contract_violation' | 'permanent_failure' | 'retries_exhausted' | 'payload_too_large' | 'no_stream';

export interface DeadLetterInput {
  service: string;
  consumer: string;
  subject: string;
  messageId: string | null;
  payload: Uint8Array;
  headers: Readonly<Record<string, string>>;
  error: string;
  errorCode: DeadLetterCode;
  deliveryCount: number;
  streamSeq: number | null;
}

/** Headers a copy or a replay carries over: not JetStream's own (`Nats-Msg-Id` would collide). */
export function carriedHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !/^nats-/i.test(k)));
}

/** Writes the `dead_letters` row (in the caller's transaction when `db` is one); returns its id. */
export async function insertDeadLetter<DB extends DeadLettersDb>(db: Kysely<DB>, input: DeadLetterInput): Promise<number> {
  // text cannot hold NUL; anything else (even invalid JSON) is kept as received
  const payload = new TextDecoder().decode(input.payload).replaceAll('\u0000', '\uFFFD');
  const row = await (db as unknown as Kysely<DeadLettersDb>)
    .insertInto('dead_letters')
    .values({
      service: input.service,
      consumer: input.consumer,
      subject: input.subject,
      message_id: input.messageId,
      payload,
      headers: JSON.stringify(input.headers),
      error: input.error,
      error_code: input.errorCode,
      delivery_count: input.deliveryCount,
      stream_seq: input.streamSeq,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Room left in a message for the `DG-*` headers of a copy. */
const COPY_HEADER_ROOM = 8 * 1024;

/**
 * Publishes the copy of dead letter `id` to `<root>.dlq.<service>`. A body the server would
 * refuse (the letter may be dead because it is too large) is left out of the copy and its size
 * given in `DG-Payload-Omitted`; the row keeps it whole. Failures are logged, not thrown.
 */
export async function publishDeadLetterCopy(bus: Bus, id: number, input: DeadLetterInput): Promise<void> {
  const maxPayload = bus.nc.info?.max_payload ?? Number.POSITIVE_INFINITY;
  const omit = input.payload.byteLength + COPY_HEADER_ROOM > maxPayload;
  try {
    await bus.js.publish(dlqSubject(input.service, bus.config.subjectRoot), omit ? new Uint8Array() : input.payload, {
      msgID: `dead-letter-${id}`,
      headers: recordToHeaders({
        ...carriedHeaders(input.headers),
        'DG-Dead-Letter-Id': String(id),
        'DG-Consumer': input.consumer,
        'DG-Subject': input.subject,
        'DG-Error': input.error.slice(0, 1000),
        'DG-Error-Code': input.errorCode,
        'DG-Delivery-Count': String(input.deliveryCount),
        ...(input.streamSeq === null ? {} : { 'DG-Stream-Seq': String(input.streamSeq) }),
        ...(omit ? { 'DG-Payload-Omitted': String(input.payload.byteLength) } : {}),
      }),
    });
  } catch (err) {
    bus.log.error({ err, deadLetterId: id }, 'dead letter recorded but its copy to the DLQ subject failed');
  }
}
