import type { DeadLettersTable, OutboxTable, ProcessedMessagesTable } from '@driftguard/db';

/**
 * The tables the bus reads and writes (migration 0003-messaging). Any Kysely database type that
 * includes them, such as @driftguard/db's `Database`, can be handed to the bus.
 */
export interface MessagingTables {
  outbox: OutboxTable;
  processed_messages: ProcessedMessagesTable;
  dead_letters: DeadLettersTable;
}

export type { DeadLettersTable, OutboxTable, ProcessedMessagesTable };
