/**
 * @driftguard/bus: NATS JetStream for DriftGuard services, effectively once.
 *
 * - {@link connectBus} opens a connection; {@link ensureStreams} declares the streams at start-up.
 * - Publish with {@link enqueue} inside the transaction that changes your rows; an
 *   {@link createOutboxRelay | outbox relay} publishes the row with `Nats-Msg-Id` = event id.
 * - Handle events with {@link consume}: contract validation, a processed-message ledger in the
 *   handler's transaction, retries with backoff, dead letters.
 * - {@link listDeadLetters} and {@link replayDeadLetter} back `dg dlq list|replay`.
 *
 * Errors a handler may throw: {@link PermanentError} (dead-letter now); anything else is retried.
 */

/** Connection, configuration and readiness. */
export { connectBus, type Bus, type ConnectBusOptions } from './bus.connection.js';
export { resolveBusConfig, type BusConfig, type BusConfigInput } from './bus.config.js';
export { eventBudgetBytes, EVENT_BUDGET_MAX_BYTES } from './event-budget.js';

/** Stream and consumer declarations. */
export {
  ensureStreams,
  streamConfig,
  streamName,
  streamNames,
  eventStreamKeys,
  type BusStreamKey,
  type EnsureAction,
} from './streams.js';
export { durableName, consumerConfig, ensureConsumer, type ConsumerLimits } from './consumers.js';

/** Publishing through the transactional outbox. */
export { enqueue, type EnqueueOptions } from './outbox.enqueue.js';
export { createOutboxRelay, relayRetryHorizonMs, type OutboxRelay, type OutboxRelayOptions } from './outbox.relay.js';

/** Pruning the outbox and processed-message ledger. */
export { createMessagingJanitor, type MessagingJanitor, type MessagingJanitorOptions } from './messaging.janitor.js';

/** Consuming. */
export { consume, type ConsumeOptions, type Consumption } from './consume.js';
export type { BatchEventHandler, BatchItem, ConsumeHandler, EventHandler, HandlerMeta } from './consume.message.js';
export { roundsBy } from './batch-rounds.js';

/** Dead letters. */
export {
  listDeadLetters,
  replayDeadLetter,
  type DeadLetter,
  type ListDeadLettersOptions,
  type ReplayResult,
} from './dead-letters.queries.js';
export { insertDeadLetter, publishDeadLetterCopy, type DeadLetterCode, type DeadLetterInput } from './dead-letters.js';

/** Errors. */
export { BusConfigError, ContractError, DeadLetterNotFoundError, PermanentError, type BusErrorCode } from './bus.errors.js';

/** Tables the bus needs in the service's database (migration 0003-messaging). */
export type { DeadLettersTable, MessagingTables, OutboxTable, ProcessedMessagesTable } from './messaging-tables.js';
