import { connectBus, createMessagingJanitor, createOutboxRelay, ensureStreams, type Bus } from '@driftguard/bus';
import { createDb, type Database } from '@driftguard/db';
import { sql, type Kysely } from 'kysely';
import type { BaseConfig } from '../config/base-config.js';
import { ConfigError } from '../config/config-error.js';
import { createTokenAuth } from '../auth/token-auth.js';
import { createHttpServer, type HttpApp, type HttpServer } from '../http/http-server.js';
import { createMetrics } from '../http/metrics.js';
import type { ErrorMapper } from '../http/problem.js';
import { createLogger } from '../logging/logger.js';
import type { Service, ServiceContext, ServiceDeps, Worker } from './service-context.js';

export interface ServiceShellOptions<C extends BaseConfig & { PORT: number }> {
  /** Service name: logs, metrics label, NATS connection name, durable consumer names. */
  name: string;
  cfg: C;
  deps?: ServiceDeps;
  /** Starts the outbox relay (services that publish events); default true. */
  relay?: boolean;
  /** Adds the service's routes next to /healthz, /readyz and /metrics. */
  registerRoutes?: (app: HttpApp, ctx: ServiceContext<C>) => void | Promise<void>;
  /** Starts consumers and other background work; each is stopped, in parallel, on destroy. */
  startWorkers?: (ctx: ServiceContext<C>) => Promise<Worker[]> | Worker[];
  mapError?: ErrorMapper;
  /**
   * The PostgreSQL role the service acts as (e.g. `dg_ingest`) when it opens its own pool: each
   * connection of the `DATABASE_URL` login runs `SET ROLE` to it, and queries are scoped to the
   * organization of the current `runAsOrg` scope (row-level security). Unset: the login itself.
   */
  dbRole?: string;
}

/**
 * The part every service shares. `start()`: connect NATS and ensure the streams, start the
 * outbox relay and the workers, then listen (so `/readyz` turns 200 only when all of that is up).
 * `destroy()`, once however often it is called: abort `ctx.shutdown`; stop intake (consumers and
 * HTTP) and let in-flight work finish; stop the relay; drain NATS; close the pool; flush telemetry.
 * Resources passed in `deps` are used but not closed. A failed `start()` undoes what it began.
 */
export function createServiceShell<C extends BaseConfig & { PORT: number }>(options: ServiceShellOptions<C>): Service {
  const { name, cfg, deps = {}, relay = true, registerRoutes, startWorkers, mapError, dbRole } = options;
  const log = (deps.log ?? createLogger({ level: cfg.LOG_LEVEL, name })).child({ service: name });
  const ownsDb = deps.db === undefined;
  const db = deps.db ?? openDatabase(cfg, dbRole);
  const metrics = createMetrics(name);
  const shutdown = new AbortController();

  let bus: Bus | undefined;
  let http: HttpServer | undefined;
  let outbox: { stop(): Promise<void> } | undefined;
  let workers: Worker[] = [];
  let destroyed: Promise<void> | undefined;

  async function start(): Promise<{ port: number }> {
    if (destroyed) throw new Error(`${name} service was destroyed`);
    try {
      bus = await connectBus({
        url: cfg.NATS_URL,
        name: `${name}:${cfg.DG_INSTANCE_ID}`,
        config: { subjectRoot: cfg.DG_SUBJECT_ROOT, streamPrefix: cfg.DG_STREAM_PREFIX, replicas: cfg.DG_STREAM_REPLICAS },
        log: log.child({ subsystem: `${name}:bus` }),
      });
      await ensureStreams(bus);
      const ctx: ServiceContext<C> = { name, cfg, db, bus, log, metrics, shutdown: shutdown.signal };

      if (deps.outboxRelay ?? relay) {
        // LISTEN/NOTIFY wakes the relay early on a real server; PGlite (no URL) is polled.
        const r = createOutboxRelay({
          db,
          bus,
          log,
          service: name,
          ...(cfg.DATABASE_URL ? { listenUrl: cfg.DATABASE_URL } : {}),
        });
        // Pruning rides along: wherever an outbox is relayed, its published rows get old.
        const janitor = createMessagingJanitor({ db, bus, log });
        outbox = { stop: () => Promise.all([r.stop(), janitor.stop()]).then(() => undefined) };
        r.start();
        janitor.start();
      }
      workers = startWorkers ? await startWorkers(ctx) : [];

      const connected = bus;
      http = createHttpServer({
        log,
        serviceName: name,
        metrics,
        mapError,
        auth: createTokenAuth(db),
        ...(deps.onRoute ? { onRoute: deps.onRoute } : {}),
        checks: {
          database: () => sql`select 1`.execute(db),
          nats: () => connected.ping(),
        },
      });
      // In a plugin, so that the routes are added after the OpenAPI generator is loaded and all appear in /openapi.json.
      if (registerRoutes) await http.app.register(async (scope) => registerRoutes(scope, ctx));
      const port = await http.listen(cfg.PORT);
      log.info({ port }, 'service started');
      return { port };
    } catch (err) {
      await destroy();
      throw err;
    }
  }

  function destroy(): Promise<void> {
    destroyed ??= (async () => {
      shutdown.abort();
      http?.markShuttingDown();
      const failures: unknown[] = [];
      const step = async (what: string, fn: () => Promise<unknown>) => {
        try {
          await fn();
        } catch (err) {
          failures.push(err);
          log.error({ err }, `${what} failed during shutdown`);
        }
      };
      // Intake first: no new messages or requests; each waits for what it already took.
      await Promise.all([
        step('stopping workers', () => Promise.all(workers.map((w) => w.stop()))),
        step('closing HTTP', async () => http?.close()),
      ]);
      await step('stopping outbox relay', async () => outbox?.stop());
      await step('draining NATS', async () => bus?.close());
      if (ownsDb) await step('closing database', () => db.destroy());
      await step('flushing telemetry', async () => deps.telemetry?.shutdown());
      log.info('service stopped');
      if (failures.length > 0) throw new AggregateError(failures, `${name} service did not stop cleanly`);
    })();
    return destroyed;
  }

  return { start, destroy };
}

function openDatabase(cfg: BaseConfig, role: string | undefined): Kysely<Database> {
  if (!cfg.DATABASE_URL) {
    throw new ConfigError([
      { variable: 'DATABASE_URL', reason: 'required to run a service on its own (`dg up` uses embedded PGlite without it)' },
    ]);
  }
  return createDb(cfg.DATABASE_URL, role === undefined ? {} : { role });
}
