import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;

/**
 * `outbox`: events written in the same transaction as the rows they describe, published to
 * NATS JetStream by the outbox relay. Owned by @driftguard/bus on behalf of the publishing service.
 */
export interface OutboxTable {
  /** the envelope id (UUIDv7), also the `Nats-Msg-Id` JetStream deduplicates on */
  id: string;
  /** full NATS subject, `dg.<domain>.<event>.v<N>.<orgId>.<envId>` */
  subject: string;
  /** catalog key, e.g. `drift.detected.v1` */
  event_type: string;
  /** the whole envelope (jsonb); written as JSON text */
  payload: ColumnType<unknown, string, string>;
  /** W3C trace context headers captured when the event was enqueued (jsonb; a JSON null reads as null) */
  headers: ColumnType<Record<string, string> | null, string | undefined, string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  published_at: NullableTimestamp;
  /** publish attempts so far (incremented when a relay claims the row) */
  attempts: Generated<number>;
  last_error: string | null;
  /** a relay's lease on the row, or the earliest retry after a failed publish */
  claimed_until: NullableTimestamp;
}

export type OutboxRow = Selectable<OutboxTable>;
export type NewOutboxRow = Insertable<OutboxTable>;
export type OutboxUpdate = Updateable<OutboxTable>;
