import { catalog, subjectFilter, type EventKey } from '@driftguard/contracts';
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  ReplayPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { Bus } from './bus.connection.js';
import { streamName } from './streams.js';

const SERVICE = /^[a-z][a-z0-9-]{0,49}$/;

/** `ingest_scan-submitted-v1`: the durable consumer of one service for one event key. */
export function durableName(service: string, key: EventKey): string {
  if (!SERVICE.test(service)) throw new Error(`invalid service name "${service}"`);
  return `${service}_${key.replaceAll('.', '-')}`;
}

export interface ConsumerLimits {
  /** how long a delivery may stay unacknowledged before JetStream redelivers it */
  ackWaitMs: number;
  /** deliveries after which the consume wrapper dead-letters the message */
  maxDeliver: number;
}

/**
 * The durable pull consumer of `service` for `key`.
 *
 * JetStream's own `max_deliver` sits one above the wrapper's, so that a delivery that timed out
 * (crashed or hung handler) on the last attempt still reaches the wrapper, which dead-letters it
 * instead of JetStream dropping it silently.
 *
 * No consumer-level `backoff`: retries are spaced by the wrapper's delayed naks alone. On
 * nats-server 2.9 a `backoff` list also postpones every delayed nak of delivery n by
 * `backoff[n-1] - ack_wait` (measured on 2.9.10: with backoff [5 s, 10 s, 20 s] a 400 ms nak of
 * the 2nd delivery came back after 5.4 s), which would make the retry schedule unpredictable.
 * A delivery that is never settled (crashed or hung handler) comes back after `ack_wait`.
 */
export function consumerConfig(bus: Bus, service: string, key: EventKey, limits: ConsumerLimits): Partial<ConsumerConfig> {
  return {
    durable_name: durableName(service, key),
    description: `${service} consumes ${key}`,
    filter_subject: subjectFilter(key, bus.config.subjectRoot),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: nanos(limits.ackWaitMs),
    max_deliver: limits.maxDeliver + 1,
    max_ack_pending: 1000,
  };
}

/**
 * Creates the durable consumer or brings its settings up to date. Every instance of a service
 * calls this with the same configuration and then pulls from the same durable, splitting the work.
 */
export async function ensureConsumer(bus: Bus, service: string, key: EventKey, limits: ConsumerLimits): Promise<ConsumerInfo> {
  const stream = streamName(bus.config, catalog[key].stream);
  const wanted = consumerConfig(bus, service, key, limits);
  const name = wanted.durable_name!;
  const current = await consumerInfo(bus, stream, name);
  if (!current) {
    try {
      return await bus.jsm.consumers.add(stream, wanted);
    } catch (err) {
      if (!(await consumerInfo(bus, stream, name))) throw err; // not a creation race
    }
  }
  const existing = current ?? (await bus.jsm.consumers.info(stream, name));
  const { ack_wait, max_deliver, max_ack_pending, description } = wanted;
  const updatable = { ack_wait, max_deliver, max_ack_pending, description };
  const same = (Object.keys(updatable) as (keyof typeof updatable)[]).every(
    (k) => JSON.stringify(existing.config[k]) === JSON.stringify(updatable[k]),
  );
  return same ? existing : bus.jsm.consumers.update(stream, name, updatable);
}

async function consumerInfo(bus: Bus, stream: string, name: string): Promise<ConsumerInfo | undefined> {
  try {
    return await bus.jsm.consumers.info(stream, name);
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound) return undefined;
    throw err;
  }
}
