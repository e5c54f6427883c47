import type { InsertType, SelectType } from 'kysely';
import type { DeadLettersTable } from './dead-letters.js';
import type { OutboxTable } from './outbox.js';
import type { ProcessedMessagesTable } from './processed-messages.js';
import { notNull, notNullDefault, nullable, type Columns, type ColumnSpec } from './columns.js';

/**
 * Column descriptors of the messaging tables (migration 0003), whose Kysely interfaces are
 * written by hand in outbox.ts, processed-messages.ts and dead-letters.ts. The type-level checks
 * at the bottom fail the build when an interface and its descriptor disagree on the column set,
 * on nullability or on which columns the database defaults; the schema test compares the
 * descriptors with the migrated database.
 */
export const outboxColumns = {
  id: notNull('uuid'),
  subject: notNull('text'),
  event_type: notNull('varchar(100)'),
  payload: notNull('jsonb'),
  headers: notNullDefault('jsonb'),
  created_at: notNullDefault('timestamptz'),
  published_at: nullable('timestamptz'),
  attempts: notNullDefault('int4'),
  last_error: nullable('text'),
  claimed_until: nullable('timestamptz'),
} as const;

export const processedMessagesColumns = {
  consumer: notNull('varchar(200)'),
  message_id: notNull('uuid'),
  processed_at: notNullDefault('timestamptz'),
} as const;

export const deadLettersColumns = {
  id: notNullDefault('int8'),
  service: notNull('varchar(50)'),
  consumer: notNull('varchar(200)'),
  subject: notNull('text'),
  message_id: nullable('varchar(100)'),
  payload: notNull('text'),
  headers: notNullDefault('jsonb'),
  error: notNull('text'),
  error_code: notNull('varchar(50)'),
  delivery_count: notNull('int4'),
  stream_seq: nullable('int8'),
  created_at: notNullDefault('timestamptz'),
  replayed_at: nullable('timestamptz'),
  replay_count: notNullDefault('int4'),
} as const;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Nullability agrees; a NOT NULL jsonb column may still hold JSON null, so it cannot be told apart. */
type NullAgrees<S, C extends ColumnSpec> = null extends S
  ? C['nullable'] extends true
    ? true
    : C['type'] extends 'jsonb'
      ? true
      : false
  : C['nullable'] extends true
    ? false
    : true;
/**
 * A NOT NULL column is optional on insert exactly when the database defaults it (Kysely makes
 * nullable columns optional either way).
 */
type DefaultAgrees<I, C extends ColumnSpec> = C['nullable'] extends true
  ? true
  : Same<undefined extends I ? true : false, C['hasDefault']>;
type ColumnAgrees<Col, C extends ColumnSpec> = [NullAgrees<SelectType<Col>, C>, DefaultAgrees<InsertType<Col>, C>];

/** True when a hand-written table interface agrees with a descriptor. */
export type Agrees<Table, C extends Columns> =
  Same<keyof Table, keyof C> extends true
    ? Same<{ [K in keyof C]: K extends keyof Table ? ColumnAgrees<Table[K], C[K]> : never }[keyof C], [true, true]>
    : false;

type Assert<T extends true> = T;

/** Compile-time proof that the hand-written messaging interfaces match their descriptors. */
export type MessagingTablesAgree = [
  Assert<Agrees<OutboxTable, typeof outboxColumns>>,
  Assert<Agrees<ProcessedMessagesTable, typeof processedMessagesColumns>>,
  Assert<Agrees<DeadLettersTable, typeof deadLettersColumns>>,
];
