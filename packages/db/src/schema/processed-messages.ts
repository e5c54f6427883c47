import type { ColumnType, Insertable, Selectable } from 'kysely';

/**
 * `processed_messages`: the ledger of idempotent consumers. A row is written in the same
 * transaction as the handler's effect, so a redelivered message is recognised and skipped.
 */
export interface ProcessedMessagesTable {
  /** durable consumer name, `<service>_<event-key>` */
  consumer: string;
  /** the envelope id (not the `Nats-Msg-Id` header, which differs on replay) */
  message_id: string;
  processed_at: ColumnType<Date, Date | string | undefined, never>;
}

export type ProcessedMessageRow = Selectable<ProcessedMessagesTable>;
export type NewProcessedMessageRow = Insertable<ProcessedMessagesTable>;
