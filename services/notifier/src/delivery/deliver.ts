import { insertDeadLetter, publishDeadLetterCopy, type Bus, type DeadLetterInput } from '@driftguard/bus';
import { subjectFor } from '@driftguard/contracts';
import { openChannelConfiguration, type Database, type Keyring, type Notification } from '@driftguard/db';
import type { Kysely, Transaction } from 'kysely';
import type { Logger, OutboundGuard } from '@driftguard/runtime';
import { uuidv7 } from 'uuidv7';
import type { SendResult } from '../channels/channel.js';
import type { LinkSigner } from '../http/tracked-link.js';
import type { ChannelRow } from '../routing/routing-rules.queries.js';
import { alertOfNotification } from './alert-of-notification.js';
import type { AdapterRegistry } from './channel-registry.js';
import { recordChannelFailure, recordChannelSuccess } from './channel-health.queries.js';
import { reportUnhealthyChannel } from './unhealthy-channel.js';
import { finishAttempt, previousProviderRef, type AttemptOutcome } from './notifications.queries.js';
import { nextAttemptDelay } from './retry-schedule.js';

export interface DeliverDeps {
  db: Kysely<Database>;
  bus: Bus;
  log: Logger;
  instance: string;
  adapters: AdapterRegistry;
  fetch: typeof fetch;
  /** vets SMTP hosts (email) */
  outbound?: OutboundGuard;
  keyring: Keyring | undefined;
  links: { signer: LinkSigner; publicUrl: string };
  retrySchedule: readonly number[];
  requestTimeoutMs: number;
  unhealthyAfterMs: number;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** The provider's answer to one attempt; a configuration the adapter refuses is a non-retryable failure. */
async function attempt(deps: DeliverDeps, row: Notification, channel: ChannelRow): Promise<SendResult> {
  const adapter = deps.adapters.get(channel.type);
  if (!adapter) return { ok: false, retryable: true, error: `no adapter for channel type ${channel.type} in this notifier` };
  let config: unknown;
  try {
    config = adapter.parseConfig(
      openChannelConfiguration(channel.configuration, deps.keyring, {
        organizationId: row.organization_id ?? 0,
        channelName: channel.name,
      }),
    );
  } catch (err) {
    return { ok: false, retryable: false, error: `channel configuration invalid: ${describe(err)}` };
  }
  const alert = alertOfNotification(row, deps.links);
  const previous = row.alert_key ? await previousProviderRef(deps.db, channel.id, row.alert_key, row.id) : undefined;
  // Not aborted by shutdown: a request in flight finishes (within its timeout) and is recorded.
  const signal = AbortSignal.timeout(deps.requestTimeoutMs);
  try {
    return await adapter.send(config, alert, {
      signal,
      fetch: deps.fetch,
      ...(deps.outbound ? { outbound: deps.outbound } : {}),
      ...(previous ? { previous } : {}),
    });
  } catch (err) {
    return { ok: false, retryable: true, error: describe(err) };
  }
}

/**
 * Delivers one claimed notification: one provider call, its attempt recorded, then delivered,
 * retried later (network errors, 5xx, 429, honouring Retry-After), failed (other 4xx: the
 * channel's configuration) or, after the last retry, dead: dead-lettered as a
 * cmd.notification.redeliver that `dg dlq replay` sends again.
 */
export async function deliverClaimed(deps: DeliverDeps, row: Notification, channel: ChannelRow): Promise<void> {
  const startedAt = new Date();
  const result = await attempt(deps, row, channel);
  const latencyMs = Date.now() - startedAt.getTime();
  let outcome: AttemptOutcome;
  if (result.ok) {
    outcome = { kind: 'delivered', status: result.status, ...(result.providerRef ? { providerRef: result.providerRef } : {}) };
  } else if (!result.retryable) {
    outcome = { kind: 'failed', error: result.error, ...(result.status !== undefined ? { status: result.status } : {}) };
  } else {
    const delay = nextAttemptDelay(deps.retrySchedule, row.attempts - row.retries_from, result.retryAfterMs);
    const status = result.status !== undefined ? { status: result.status } : {};
    outcome =
      delay === undefined
        ? { kind: 'dead', error: result.error, ...status }
        : { kind: 'retry', error: result.error, nextAttemptAt: new Date(Date.now() + delay), ...status };
  }
  const log = deps.log.child({ notificationId: row.id, channelId: channel.id, attempt: row.attempts });
  // A dead notification and its dead letter commit together: whoever sees it dead can replay it.
  const { unhealthy, letter } = await deps.db.transaction().execute(async (tx) => {
    const mine = await finishAttempt(
      tx,
      { id: row.id, attempt: row.attempts, instance: deps.instance, startedAt, latencyMs },
      outcome,
    );
    if (!mine) return { unhealthy: undefined, letter: undefined };
    if (outcome.kind === 'delivered') {
      await recordChannelSuccess(tx, channel.id);
      return { unhealthy: undefined, letter: undefined };
    }
    const letter = outcome.kind === 'dead' ? await insertRedeliveryLetter(tx, deps, row, outcome.error) : undefined;
    const pauseMs = !result.ok && result.retryAfterMs !== undefined ? result.retryAfterMs : undefined;
    const unhealthy = await recordChannelFailure(tx, channel.id, {
      error: outcome.error,
      unhealthyAfterMs: deps.unhealthyAfterMs,
      ...(pauseMs !== undefined ? { pauseMs } : {}),
    });
    return { unhealthy, letter };
  });
  if (letter) await publishDeadLetterCopy(deps.bus, letter.id, letter.input);
  switch (outcome.kind) {
    case 'delivered':
      log.info({ status: outcome.status, latencyMs }, 'notification delivered');
      break;
    case 'retry':
      log.warn(
        { status: outcome.status, error: outcome.error, nextAttemptAt: outcome.nextAttemptAt },
        'notification delivery failed; will retry',
      );
      break;
    case 'failed':
      log.error(
        { status: outcome.status, error: outcome.error },
        'notification refused by the provider: channel configuration error',
      );
      break;
    case 'dead':
      log.error(
        { status: outcome.status, error: outcome.error },
        'notification delivery failed after the last retry; dead-lettered',
      );
      break;
    default: {
      const never: never = outcome;
      throw new Error(`unknown outcome ${JSON.stringify(never)}`);
    }
  }
  if (unhealthy && row.organization_id !== null) {
    await reportUnhealthyChannel(deps.db, {
      orgId: row.organization_id,
      channel,
      failingSince: unhealthy.failingSince,
      lastError: outcome.kind === 'delivered' ? '' : outcome.error,
    });
  }
}

/** Writes, in `tx`, the dead letter of a notification: the command that delivers it again. */
async function insertRedeliveryLetter(
  tx: Transaction<Database>,
  deps: DeliverDeps,
  row: Notification,
  error: string,
): Promise<{ id: number; input: DeadLetterInput } | undefined> {
  const orgId = row.organization_id;
  const envId = await environmentOf(tx, row.group_id);
  if (orgId === null || envId === undefined) return undefined;
  const envelope = {
    id: uuidv7(),
    type: 'cmd.notification.redeliver',
    occurredAt: new Date().toISOString(),
    orgId,
    envId,
    data: { notificationId: row.id, reason: 'retries exhausted' },
  };
  const subject = subjectFor('cmd.notification.redeliver.v1', orgId, envId, deps.bus.config.subjectRoot);
  const input: DeadLetterInput = {
    service: 'notifier',
    consumer: 'notifier-delivery',
    subject,
    messageId: envelope.id,
    payload: new TextEncoder().encode(JSON.stringify(envelope)),
    headers: {},
    error: `notification ${row.id}: ${error}`,
    errorCode: 'retries_exhausted',
    deliveryCount: row.attempts,
    streamSeq: null,
  };
  return { id: await insertDeadLetter<Database>(tx, input), input };
}

async function environmentOf(db: Kysely<Database>, groupId: number | null): Promise<number | undefined> {
  if (groupId === null) return undefined;
  const row = await db.selectFrom('notification_groups').select('environment_id').where('id', '=', groupId).executeTakeFirst();
  return row?.environment_id;
}
