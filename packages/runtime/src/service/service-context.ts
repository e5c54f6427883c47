import type { Bus } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import type { RouteOptions } from 'fastify';
import type { Kysely } from 'kysely';
import type { BaseConfig } from '../config/base-config.js';
import type { Metrics } from '../http/metrics.js';
import type { Logger } from '../logging/logger.js';

/**
 * The one explicit context handed to handler and route factories. `shutdown` aborts when the
 * service starts stopping: long loops and outgoing calls pass it on so they end promptly.
 */
export interface ServiceContext<C extends BaseConfig = BaseConfig> {
  readonly name: string;
  readonly cfg: C;
  readonly db: Kysely<Database>;
  readonly bus: Bus;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly shutdown: AbortSignal;
}

/** A running piece of background work (a consumer, a scheduler); `stop()` finishes in-flight work. */
export interface Worker {
  stop(): Promise<void>;
}

/** What `create<Name>Service` returns; `main.ts` and `dg up` drive every service through it. */
export interface Service {
  /** Connects, starts workers and HTTP; resolves with the bound port once the service serves. */
  start(): Promise<{ port: number }>;
  /** Ordered, idempotent stop; see `createServiceShell`. */
  destroy(): Promise<void>;
}

/** Shared resources a caller may hand in (tests, `dg up`). The service never closes what it was given. */
export interface ServiceDeps {
  db?: Kysely<Database>;
  log?: Logger;
  /**
   * Overrides whether this service runs an outbox relay. Any relay publishes every service's
   * rows, so `dg up` runs one for the whole process.
   */
  outboxRelay?: boolean;
  /** Flushed as the last step of `destroy()` when given. */
  telemetry?: { shutdown(): Promise<void> };
  /** Observes each HTTP route as it is registered (tests check `/openapi.json` describes them all). */
  onRoute?: (route: RouteOptions) => void;
}
