import type { Database } from '@driftguard/db';
import type { Service } from '@driftguard/runtime';
import {
  baseConfigSchema,
  ConfigError,
  createLogger,
  installSignalHandlers,
  parseConfig,
  startTelemetry,
  type Logger,
} from '@driftguard/runtime/boot';
import type { Kysely } from 'kysely';
import { join } from 'node:path';
import { type CliContext, writeLine } from './cli-context.js';
import { EMBEDDED_DATA_DIR, openEmbeddedDatabase } from './embedded-database.js';
import { ensureLocalNats, natsSearchDirs } from './local-nats.js';
import { embeddedMasterKey } from './embedded-master-key.js';
import { configureService, SERVICE_NAMES, type ConfiguredService, type ServiceName } from './service-catalog.js';

export interface RunServicesOptions {
  /** `dg up`: every service on its default port, embedded PGlite when DATABASE_URL is unset. */
  allInOne: boolean;
  /** Called once every service serves (`dg demo` fills its organization here), with the shared database and master key. */
  onUp?: (up: { db: Kysely<Database>; masterKey: string | undefined; log: Logger; ingestUrl: string }) => Promise<void>;
}

/**
 * Runs services in the foreground until SIGTERM/SIGINT. All of them share one logger, one
 * telemetry SDK and (under `dg up`) one database handle and one outbox relay; each keeps its own
 * NATS connection, HTTP server and workers. Returns once they serve; the signal handler exits.
 */
export async function runServices(
  ctx: CliContext,
  names: readonly ServiceName[],
  { allInOne, onUp }: RunServicesOptions,
): Promise<void> {
  // `dg up` keeps every service on its usual port, so a PORT meant for one service is ignored.
  const given = allInOne ? { ...ctx.env, PORT: undefined } : ctx.env;
  const base = parseConfig(baseConfigSchema, given);
  // Checked before anything is created: a refused DG_PORT_BASE leaves no key or data behind.
  const ports = allInOne ? portsFrom(given['DG_PORT_BASE']) : undefined;
  const processName = allInOne ? 'driftguard' : `driftguard-${names[0]}`;
  const telemetry = startTelemetry({ serviceName: processName, endpoint: base.OTEL_EXPORTER_OTLP_ENDPOINT });
  const log = createLogger({ level: base.LOG_LEVEL, name: allInOne ? 'driftguard' : names[0]! });
  // Only `dg up` on the embedded database may run without DG_MASTER_KEY: it keeps a local one.
  const localKey = allInOne && !base.DATABASE_URL && !base.DG_MASTER_KEY ? embeddedMasterKey(ctx.cwd) : undefined;
  const env = localKey ? { ...given, DG_MASTER_KEY: localKey.value } : given;

  const configured = await configureAll(names, (name) =>
    // the links only where they are not set; the port always
    ports ? { ...ports(name).links, ...env, PORT: ports(name).port } : env,
  );
  // `dg up` starts a local nats-server when nothing answers at NATS_URL on this host.
  const nats = allInOne
    ? await ensureLocalNats(base.NATS_URL, join(ctx.cwd, EMBEDDED_DATA_DIR), natsSearchDirs(ctx.env['PATH']))
    : undefined;
  if (nats) log.info({ url: nats.url, storeDir: nats.storeDir }, 'started nats-server with JetStream for dg up');
  let shared: SharedDatabase | undefined;
  try {
    shared = allInOne ? await openSharedDatabase(ctx, base.DATABASE_URL, log) : undefined;
  } catch (err) {
    await nats?.stop();
    throw err;
  }
  // Said once the embedded database is ours, so a second `dg up` refused by its lock says only that.
  if (localKey)
    log.warn(
      { path: localKey.path },
      localKey.created
        ? 'DG_MASTER_KEY is not set: created a local master key for the embedded database'
        : 'DG_MASTER_KEY is not set: using the local master key of the embedded database',
    );
  const services: Service[] = [];
  for (const [index, service] of configured.entries()) {
    services.push(
      await service.create({ log, ...(shared ? { db: shared.db } : {}), outboxRelay: allInOne ? index === 0 : undefined }),
    );
  }

  let destroyed: Promise<void> | undefined;
  const all: Service = {
    async start() {
      const ports = await Promise.all(services.map((s) => s.start()));
      return ports[0]!;
    },
    destroy: () =>
      (destroyed ??= (async () => {
        const results = await Promise.allSettled(services.map((s) => s.destroy()));
        await shared?.close();
        await nats?.stop();
        await telemetry.shutdown();
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed.length > 0)
          throw new AggregateError(
            failed.map((f): unknown => f.reason),
            'some services did not stop cleanly',
          );
      })()),
  };
  const lifecycle = installSignalHandlers(all, log, { proc: ctx.proc });

  try {
    await all.start();
  } catch (err) {
    log.fatal({ err }, 'start-up failed');
    await lifecycle.shutdown('start-up failure', 1);
    return;
  }
  const where = configured.map((s) => `${s.name} :${s.cfg.PORT}`).join(', ');
  writeLine(
    ctx.stderr,
    `DriftGuard ${allInOne ? 'is up' : `${names[0]} is up`}: ${where}${shared?.embedded ? ` (embedded database in ${shared.where})` : ''}`,
  );
  const api = configured.find((s) => s.name === 'api');
  if (allInOne && api) {
    const base = `http://127.0.0.1:${api.cfg.PORT}`;
    writeLine(ctx.stderr, `API ${base} (OpenAPI document ${base}/openapi.json, docs ${base}/docs)`);
    writeLine(
      ctx.stderr,
      'sign in: create the first admin with `pnpm dg user create --admin <email> --password-stdin`, or use an API token from `pnpm dg token create`',
    );
  }
  if (onUp && shared) {
    try {
      const ingest = configured.find((s) => s.name === 'ingest');
      const ingestUrl = `http://127.0.0.1:${ingest?.cfg.PORT ?? 8081}`;
      await onUp({ db: shared.db, masterKey: env['DG_MASTER_KEY'], log, ingestUrl });
    } catch (err) {
      log.fatal({ err }, 'start-up hook failed');
      await lifecycle.shutdown('start-up failure', 1);
    }
  }
}

/**
 * `dg up` with DG_PORT_BASE: the five services on consecutive ports from it, in the usual order
 * (api, ingest, analysis, recommender, notifier), and the notifier's links to the console and to
 * itself following them unless they are set. Without it, the usual 8080 – 8084.
 */
function portsFrom(
  text: string | undefined,
): ((name: ServiceName) => { port: string; links: Record<string, string> }) | undefined {
  if (text === undefined || text === '') return undefined;
  const base = Number(text);
  const highest = 65535 - (SERVICE_NAMES.length - 1);
  if (!/^\d+$/.test(text) || base < 1 || base > highest)
    throw new ConfigError([
      { variable: 'DG_PORT_BASE', reason: `expected a port from 1 to ${highest}, got ${JSON.stringify(text)}` },
    ]);
  const portOf = (name: ServiceName) => base + SERVICE_NAMES.indexOf(name);
  const notifierLinks: Record<string, string> = {
    DG_CONSOLE_URL: `http://127.0.0.1:${portOf('api')}`,
    DG_NOTIFIER_PUBLIC_URL: `http://127.0.0.1:${portOf('notifier')}`,
  };
  return (name) => ({ port: String(portOf(name)), links: name === 'notifier' ? notifierLinks : {} });
}

async function configureAll(
  names: readonly ServiceName[],
  envOf: (name: ServiceName) => CliContext['env'],
): Promise<ConfiguredService[]> {
  const issues: ConfigError['issues'][number][] = [];
  const configured: ConfiguredService[] = [];
  for (const name of names) {
    try {
      configured.push(await configureService(name, envOf(name)));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const issue of err.issues) if (!issues.some((i) => i.variable === issue.variable)) issues.push(issue);
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return configured;
}

interface SharedDatabase {
  db: Kysely<Database>;
  embedded: boolean;
  where: string;
  close(): Promise<void>;
}

/**
 * `dg up`'s one database handle. Without DATABASE_URL: embedded PGlite in ./.dg-data, migrated
 * here — the one place migrations run implicitly, safe because this single process is the only
 * one that can open that directory — then shared with the admin commands over a Unix socket.
 */
async function openSharedDatabase(ctx: CliContext, url: string | undefined, log: Logger): Promise<SharedDatabase> {
  const { createDb, migratePglite } = await import('@driftguard/db');
  if (url) {
    const db = createDb(url, { applicationName: 'driftguard' });
    return { db, embedded: false, where: 'DATABASE_URL', close: () => db.destroy() };
  }
  const embedded = await openEmbeddedDatabase(ctx.cwd);
  try {
    const result = await migratePglite(embedded.db, 'up');
    if (result.applied.length > 0) log.info({ applied: result.applied, dataDir: embedded.dataDir }, 'embedded database migrated');
    await embedded.share();
  } catch (err) {
    await embedded.close();
    throw err;
  }
  return { db: embedded.db, embedded: true, where: embedded.dataDir, close: () => embedded.close() };
}
