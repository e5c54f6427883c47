import pg from 'pg';
import type { Logger } from 'pino';
import { sleep } from './retry-policy.js';

/** A latch the relay sleeps on: woken by a notification, the poll interval, or stop. */
export interface WakeUp {
  /** Resolves after `ms`, on `wake()`, or when `signal` aborts; at once if woken since the last wait. */
  wait(ms: number, signal: AbortSignal): Promise<void>;
  wake(): void;
}

export function createWakeUp(): WakeUp {
  let pending = false;
  let waiter: AbortController | undefined;
  return {
    async wait(ms, signal) {
      if (pending) {
        pending = false;
        return;
      }
      waiter = new AbortController();
      await sleep(ms, AbortSignal.any([signal, waiter.signal]));
      waiter = undefined;
      pending = false;
    },
    wake() {
      pending = true;
      waiter?.abort();
    },
  };
}

const RECONNECT_MS = 5_000;

/**
 * LISTEN on the `outbox` channel (notified by a trigger on insert) with a dedicated connection,
 * reconnecting on failure. Only a hint: the relay polls regardless, so a lost notification delays
 * publication by at most one poll interval.
 */
export function listenForOutbox(url: string, onNotify: () => void, log: Logger): { close(): Promise<void> } {
  let client: pg.Client | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let connecting: Promise<void> = Promise.resolve();

  const connect = async () => {
    const c = new pg.Client({ connectionString: url, application_name: 'outbox-relay-listen' });
    c.on('notification', onNotify);
    c.on('error', (err) => retry(c, err));
    try {
      await c.connect();
      await c.query('LISTEN outbox');
      if (closed) return void (await c.end());
      client = c;
      onNotify(); // rows may have arrived while not listening
    } catch (err) {
      retry(c, err);
    }
  };
  const retry = (c: pg.Client, err: unknown) => {
    if (closed) return;
    log.warn({ err }, 'outbox LISTEN connection lost; polling only until it is back');
    if (client === c) client = undefined;
    c.end().catch(() => undefined);
    clearTimeout(timer);
    timer = setTimeout(() => {
      connecting = connect();
    }, RECONNECT_MS);
  };

  connecting = connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      await connecting;
      await client?.end().catch(() => undefined);
    },
  };
}
