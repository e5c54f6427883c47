/**
 * @driftguard/db/testing: a fresh, migrated PostgreSQL database per test suite.
 *
 * The first call in a process migrates a template database once per migration set (shared by
 * every process and run on the same server, built under an advisory lock); each test database
 * is a `CREATE DATABASE ... TEMPLATE` copy of it, which takes a fraction of a second.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type Migration } from 'kysely';
import pg from 'pg';
import { ensureAuditPartitions } from './audit.js';
import { createDb } from './client.js';
import { migrate } from './migrate.js';
import { applyServiceGrants } from './service-roles.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema/index.js';
import { dropDatabase, withDatabase, withMaintenanceClient } from './server.js';

const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';
const TEMPLATE_LOCK_KEY = 0x44470002;
/** Test and template databases older than this are left-overs of crashed runs. */
const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/** A migrated database of its own for one test suite. */
export interface TestDatabase {
  /** Database name, e.g. dgt_ingest_m3x1k2ab_9f2c1e. */
  name: string;
  /** Connection URL of the database. */
  url: string;
  /** A pool on it (max 5 connections). */
  db: Kysely<Database>;
  /** Closes `db` and drops the database WITH (FORCE). Safe to call twice. */
  destroy(): Promise<void>;
}

/**
 * Creates a uniquely named, fully migrated database on the server of `DATABASE_URL` (default
 * postgres://postgres@127.0.0.1:5432; without `DATABASE_URL` and with a Docker engine, a
 * PostgreSQL 15 container started with testcontainers). `prefix` (letters, digits, _) shows in
 * the name, to tell suites apart.
 */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const server = await testServerUrl();
  const template = await templateFor(server);
  const name = uniqueDatabaseName(prefix);
  await withMaintenanceClient(server, (client) => copyDatabase(client, template, name));
  const url = withDatabase(server, name);
  const db = createDb(url, { max: 5, applicationName: 'driftguard-test' });
  // The template may predate this month: give the copy the audit partitions a migration would.
  await ensureAuditPartitions(db, 3);
  // Grants follow the ownership map, which the template's key does not cover: re-apply them.
  await applyServiceGrants(db);
  let destroyed: Promise<void> | undefined;
  return {
    name,
    url,
    db,
    destroy: () => (destroyed ??= db.destroy().then(() => dropDatabase(url))),
  };
}

/**
 * URL of the `postgres` database of the server tests use (see createTestDatabase), for tests
 * that create databases themselves.
 */
export function testServerUrl(): Promise<string> {
  return (serverPromise ??= resolveServer());
}

/**
 * A fresh database name `dgt_<prefix>_<time>_<random>` (not created). Databases named so and
 * left behind by crashed runs are dropped a day later by the next template build.
 */
export function uniqueDatabaseName(prefix = 'test'): string {
  const label = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 24);
  return `dgt_${label}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

let serverPromise: Promise<string> | undefined;

/**
 * CREATE DATABASE ... TEMPLATE; retried while PostgreSQL reports the template in use
 * (object_in_use: a session on it, e.g. one just closed whose backend has not exited yet).
 */
async function copyDatabase(client: pg.Client, template: string, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(template)}`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || attempt === 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}
const templates = new Map<string, Promise<string>>();

async function resolveServer(): Promise<string> {
  const fromEnv = process.env['DATABASE_URL'];
  if (fromEnv) return fromEnv;
  if (!process.env['DOCKER_HOST'] && !existsSync('/var/run/docker.sock')) return DEFAULT_SERVER;
  // Only with a Docker engine: testcontainers is heavy to import and fails fast without one.
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('postgres:15')
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  return `postgres://postgres@${container.getHost()}:${container.getMappedPort(5432)}/postgres`;
}

/**
 * Identifies a migration set by the SQL its `up` functions really send: each runs against a
 * Kysely whose driver executes nothing and records every compiled statement. Changing only a
 * statement held in a module constant therefore gives a new template, which hashing the
 * functions' source would not.
 */
export async function migrationSetKey(set: Record<string, Migration> = migrations): Promise<string> {
  const hash = createHash('sha256');
  const recorder = new Kysely<unknown>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event) => {
      hash.update(`${event.query.sql}\n${JSON.stringify(event.query.parameters)}\n`);
    },
  });
  try {
    for (const [name, m] of Object.entries(set)) {
      hash.update(`-- ${name}\n`);
      await m.up(recorder);
    }
  } finally {
    await recorder.destroy();
  }
  return hash.digest('hex').slice(0, 12);
}

function templateFor(server: string): Promise<string> {
  let template = templates.get(server);
  if (template === undefined) {
    template = buildTemplate(server);
    templates.set(server, template);
    template.catch(() => templates.delete(server)); // let a later call retry
  }
  return template;
}

async function buildTemplate(server: string): Promise<string> {
  const stem = `dg_tpl_${await migrationSetKey()}`;
  return withMaintenanceClient(server, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    try {
      const existing = await client.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_%' AND datname NOT LIKE '%\\_build'`,
        [stem],
      );
      const found = existing.rows[0]?.datname;
      if (found !== undefined) return found;
      const name = `${stem}_${Date.now().toString(36)}`;
      const building = `${name}_build`;
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(building)} WITH (FORCE)`);
      await migrate(withDatabase(server, building), 'up');
      await client.query(`ALTER DATABASE ${pg.escapeIdentifier(building)} RENAME TO ${pg.escapeIdentifier(name)}`);
      await dropStale(client, stem);
      return name;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
    }
  });
}

/** Best effort: drops test and template databases from runs more than a day old. */
async function dropStale(client: pg.Client, currentStem: string): Promise<void> {
  const all = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^dg(t|_tpl)_'`);
  for (const { datname } of all.rows) {
    const stamp = /_([0-9a-z]{8,9})(?:_[0-9a-f]{6}|_build)?$/.exec(datname)?.[1];
    const bornAt = stamp === undefined ? Number.NaN : parseInt(stamp, 36);
    if (datname.startsWith(currentStem) || !(Date.now() - bornAt > STALE_AFTER_MS)) continue;
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`).catch(() => undefined);
  }
}
