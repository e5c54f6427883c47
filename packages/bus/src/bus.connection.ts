import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { resolveBusConfig, type BusConfig, type BusConfigInput } from './bus.config.js';
import { eventBudgetBytes } from './event-budget.js';

/** A connection to NATS with JetStream, and the stream naming every bus function follows. */
export interface Bus {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly config: BusConfig;
  readonly log: Logger;
  /** Round trip to the server plus a JetStream API call; resolves with the RTT in ms, throws when unreachable. */
  ping(): Promise<number>;
  /** What an event body must stay under, from the connected server's `max_payload` (see eventBudgetBytes). */
  eventBudgetBytes(): number;
  /** Drains the connection (pending publishes and acks are flushed). Safe to call twice. */
  close(): Promise<void>;
}

export interface ConnectBusOptions {
  url: string | string[];
  /** connection name shown by the server, e.g. the service name */
  name: string;
  config?: BusConfigInput;
  log: Logger;
}

export async function connectBus(opts: ConnectBusOptions): Promise<Bus> {
  const config = resolveBusConfig(opts.config);
  const log = opts.log.child({ subsystem: 'bus' });
  const nc = await connect({ servers: opts.url, name: opts.name, maxReconnectAttempts: -1 });
  const jsm = await jetstreamManager(nc);
  const js = jsm.jetstream();
  const statusLoop = logStatus(nc, log);
  let closing: Promise<void> | undefined;

  return {
    nc,
    js,
    jsm,
    config,
    log,
    async ping() {
      const rtt = await nc.rtt();
      await jsm.getAccountInfo();
      return rtt;
    },
    eventBudgetBytes: () => eventBudgetBytes(nc.info?.max_payload),
    close() {
      closing ??= (async () => {
        if (!nc.isClosed()) await nc.drain();
        await statusLoop;
      })();
      return closing;
    },
  };
}

async function logStatus(nc: NatsConnection, log: Logger): Promise<void> {
  for await (const s of nc.status()) {
    if (s.type === 'disconnect' || s.type === 'error') log.warn({ status: s }, 'nats connection trouble');
    else if (s.type === 'reconnect') log.info({ server: s.server }, 'nats reconnected');
  }
}
