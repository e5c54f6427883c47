import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * `dead_letters`: messages a consumer gave up on (invalid payload, permanent failure, retries
 * exhausted), kept for inspection and replay with `dg dlq list|replay`.
 */
export interface DeadLettersTable {
  /** bigserial; int8 reads as a string */
  id: ColumnType<string, string | number | undefined, never>;
  service: string;
  consumer: string;
  subject: string;
  /** envelope id when the payload had one */
  message_id: string | null;
  /** the raw body as received; may be invalid JSON */
  payload: string;
  /** message headers as received (jsonb; a JSON null reads as null) */
  headers: ColumnType<Record<string, string> | null, string | undefined, string>;
  error: string;
  error_code: string;
  delivery_count: number;
  /** JetStream stream sequence of the failed delivery (int8, reads as a string) */
  stream_seq: ColumnType<string | null, string | number | null, string | number | null>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  replayed_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  replay_count: Generated<number>;
}

export type DeadLetterRow = Selectable<DeadLettersTable>;
export type NewDeadLetterRow = Insertable<DeadLettersTable>;
export type DeadLetterUpdate = Updateable<DeadLettersTable>;
