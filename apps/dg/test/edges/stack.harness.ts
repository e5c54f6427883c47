/**
 * Every service of DriftGuard in this process, against a PostgreSQL database and NATS streams of
 * the suite's own, each service connecting as its own role (as `dg up` runs them), with every log
 * line captured. The edge and canary suites drive it from the outside: HTTP, NATS and the tables.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createApiToken, createEnvironment, createOrganization } from '@driftguard/api';
import { connectBus, type Bus } from '@driftguard/bus';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { createLogger, type Logger, type Service, type ServiceDeps } from '@driftguard/runtime';
import { sql } from 'kysely';
import { configureService, SERVICE_NAMES, type ServiceName } from '../../src/service-catalog.js';

export const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

export interface Route {
  method: string;
  url: string;
}

export interface RunningService {
  name: ServiceName;
  url: string;
  /** Every route as fastify registered it (the OpenAPI document is checked against these). */
  routes: Route[];
  service: Service;
}

export interface Stack {
  tdb: TestDatabase;
  /** The environment every service was configured from. */
  env: Record<string, string>;
  /** Every log line of every service, as pino wrote it. */
  logs: string[];
  services: Map<ServiceName, RunningService>;
  org: { id: number; slug: string };
  environment: { id: number; slug: string };
  tokens: { orgAdmin: string; scanner: string; viewer: string };
  /** A connection of the suite's own, on the same subject root and stream prefix. */
  bus(): Promise<Bus>;
  url(name: ServiceName): string;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Names the database and streams of the suite. */
  prefix: string;
  services?: readonly ServiceName[];
  /** Added to (or overriding) the shared service environment. */
  env?: Record<string, string>;
  logLevel?: 'trace' | 'debug' | 'info';
}

/** A logger whose lines all land in `lines`. */
export function capturingLogger(name: string, lines: string[], level: StackOptions['logLevel'] = 'info'): Logger {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return createLogger({ level, name, destination });
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const suffix = randomBytes(4).toString('hex');
  const tdb = await createTestDatabase(options.prefix);
  const env: Record<string, string> = {
    DATABASE_URL: tdb.url,
    NATS_URL,
    PORT: '0',
    DG_SUBJECT_ROOT: `e${suffix}`,
    DG_STREAM_PREFIX: `E${suffix.toUpperCase()}_`,
    DG_INSTANCE_ID: `${options.prefix}-${suffix}`,
    DG_MASTER_KEY: `k1:${randomBytes(32).toString('base64')}`,
    DG_OUTBOUND_ALLOW: '127.0.0.1',
    DG_API_RATE_LIMIT: '1000000',
    ...options.env,
  };
  const busConfig = { subjectRoot: env['DG_SUBJECT_ROOT']!, streamPrefix: env['DG_STREAM_PREFIX']! };
  const logs: string[] = [];
  const services = new Map<ServiceName, RunningService>();
  let bus: Bus | undefined;
  const stop = async () => {
    for (const s of [...services.values()].reverse()) await s.service.destroy().catch(() => undefined);
    services.clear();
    const cleanup =
      bus ??
      (await connectBus({
        url: NATS_URL,
        name: 'edges-cleanup',
        config: busConfig,
        log: createLogger({ level: 'silent', name: 'edges' }),
      }).catch(() => undefined));
    if (cleanup) {
      for await (const stream of cleanup.jsm.streams.list()) {
        if (stream.config.name.startsWith(env['DG_STREAM_PREFIX']!)) await cleanup.jsm.streams.delete(stream.config.name);
      }
      await cleanup.close();
    }
    bus = undefined;
    await tdb.destroy();
  };
  try {
    for (const name of options.services ?? SERVICE_NAMES) {
      const routes: Route[] = [];
      const onRoute: ServiceDeps['onRoute'] = (route) => {
        // The page and assets of /docs, hidden from the document on purpose.
        if (route.schema?.hide === true) return;
        for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
      };
      const configured = await configureService(name, env);
      const service = await configured.create({ log: capturingLogger(name, logs, options.logLevel), onRoute });
      const { port } = await service.start();
      services.set(name, { name, url: `http://127.0.0.1:${port}`, routes, service });
    }
    const org = await createOrganization(tdb.db, { slug: 'acme' });
    const environment = await createEnvironment(tdb.db, { orgSlug: 'acme', slug: 'prod', cloud: 'aws' });
    const tokens = {
      orgAdmin: (await createApiToken(tdb.db, { orgSlug: 'acme', role: 'admin', name: 'edges-admin' })).token,
      scanner: (await createApiToken(tdb.db, { orgSlug: 'acme', envSlug: 'prod', role: 'scanner', name: 'edges-scanner' })).token,
      viewer: (await createApiToken(tdb.db, { orgSlug: 'acme', role: 'viewer', name: 'edges-viewer' })).token,
    };
    return {
      tdb,
      env,
      logs,
      services,
      org: { id: org.id, slug: 'acme' },
      environment: { id: environment.id, slug: 'prod' },
      tokens,
      async bus() {
        bus ??= await connectBus({
          url: NATS_URL,
          name: `edges-${suffix}`,
          config: busConfig,
          log: createLogger({ level: 'silent', name: 'edges' }),
        });
        return bus;
      },
      url(name) {
        const s = services.get(name);
        if (!s) throw new Error(`${name} is not running in this stack`);
        return s.url;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Rows of every table (partitions counted in their parent), with audit rows of refused or failed
 * attempts apart: a refusal is audited on purpose, a change is not allowed.
 */
export async function tableCounts(stack: Stack): Promise<Record<string, number>> {
  const tables = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
    ORDER BY c.relname`.execute(stack.tdb.db);
  const counts: Record<string, number> = {};
  const parts = tables.rows.map((t) =>
    t.name === 'audit_log'
      ? sql<{
          name: string;
          n: string;
        }>`SELECT 'audit_log' AS name, count(*) FILTER (WHERE success IS NOT FALSE) AS n FROM audit_log`
      : sql<{ name: string; n: string }>`SELECT ${t.name}::text AS name, count(*) AS n FROM ${sql.table(t.name)}`,
  );
  const rows = await sql<{ name: string; n: string }>`${sql.join(parts, sql` UNION ALL `)}`.execute(stack.tdb.db);
  for (const r of rows.rows) counts[r.name] = Number(r.n);
  return counts;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
