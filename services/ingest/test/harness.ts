import { createServer as createTcpServer } from 'node:net';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { uuidv7 } from 'uuidv7';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { connectBus, streamNames, type Bus } from '@driftguard/bus';
import { createLogger, generateToken, type Logger } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { createDb, SERVICE_ROLES, type Database } from '@driftguard/db';
import { createIngestService } from '../src/service.js';
import { loadIngestConfig } from '../src/config.js';
import { FIXTURES_DIR } from './fixtures/fixture-files.js';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '../../..');

export const FIXTURES = FIXTURES_DIR;
export const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

export function fixture(path: string): Buffer {
  return readFileSync(resolve(FIXTURES, path));
}

export interface Tenant {
  orgId: number;
  envId: number;
  orgSlug: string;
  envSlug: string;
  token: string;
}

/** An organization, an environment and a scanner token scoped to it, written straight to the tables. */
export async function createTenant(
  db: Kysely<Database>,
  role: 'scanner' | 'admin' | 'viewer' = 'scanner',
  slug = `org-${randomBytes(3).toString('hex')}`,
): Promise<Tenant> {
  const org = await db.insertInto('organizations').values({ name: slug, slug }).returning('id').executeTakeFirstOrThrow();
  const env = await db
    .insertInto('environments')
    .values({ organization_id: org.id, name: 'prod', slug: 'prod', cloud_provider: 'aws' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const t = generateToken();
  await db
    .insertInto('api_tokens')
    .values({
      organization_id: org.id,
      environment_id: env.id,
      name: 'scanner',
      token_prefix: t.prefix,
      token_hash: t.hash,
      role,
    })
    .execute();
  return { orgId: org.id, envId: env.id, orgSlug: slug, envSlug: 'prod', token: t.token };
}

export interface IngestHarness {
  url: string;
  db: Kysely<Database>;
  tdb: TestDatabase;
  tenant: Tenant;
  subjectRoot: string;
  streamPrefix: string;
  env: Record<string, string>;
  post(
    path: string,
    body: Buffer | string,
    headers?: Record<string, string>,
    token?: string,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  get(path: string, token?: string): Promise<{ status: number; body: any }>;
  submit(format: string, body: Buffer | string, opts?: { full?: boolean; token?: string }): Promise<string>;
  waitForScan(scanId: string, timeoutMs?: number): Promise<any>;
  bus(): Promise<Bus>;
  /** Starts one more ingest instance on the same database and streams (stopped by stop()). */
  startPeer(): Promise<string>;
  stop(): Promise<void>;
}

/** A real ingest service on a free port, with its own database, subject root and streams. */
export async function startIngest(
  label: string,
  extraEnv: Record<string, string> = {},
  log: Logger = createLogger({ level: 'silent', name: 'ingest-test' }),
): Promise<IngestHarness> {
  const tdb = await createTestDatabase(label);
  const suffix = randomBytes(4).toString('hex');
  const env = {
    DATABASE_URL: tdb.url,
    NATS_URL,
    PORT: '0',
    LOG_LEVEL: 'silent',
    DG_SUBJECT_ROOT: `t${suffix}`,
    DG_STREAM_PREFIX: `T${suffix}_`,
    DG_SCAN_POLL_MS: '100',
    DG_INSTANCE_ID: `test-${suffix}`,
    DG_MASTER_KEY: `k1:${randomBytes(32).toString('base64')}`,
    ...extraEnv,
  };
  const cfg = loadIngestConfig(env);
  // The service acts as its own role, as in production: grants and row-level security apply to
  // every query it sends. `db` (the database owner) is the tests' view for setup and assertions.
  const serviceDb = createDb(tdb.url, { role: SERVICE_ROLES.ingest, max: 5, applicationName: 'driftguard-ingest-test' });
  const svc = await createIngestService(cfg, { db: serviceDb, log });
  const { port } = await svc.start();
  const url = `http://127.0.0.1:${port}`;
  const tenant = await createTenant(tdb.db);
  let bus: Bus | undefined;
  const peers: { destroy(): Promise<void> }[] = [];

  const h: IngestHarness = {
    url,
    db: tdb.db,
    tdb,
    tenant,
    subjectRoot: env.DG_SUBJECT_ROOT,
    streamPrefix: env.DG_STREAM_PREFIX,
    env,
    async post(path, body, headers = {}, token = tenant.token) {
      const res = await fetch(url + path, { method: 'POST', body, headers: { authorization: `Bearer ${token}`, ...headers } });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
    async get(path, token = tenant.token) {
      const res = await fetch(url + path, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: await res.json() };
    },
    async submit(format, body, opts = {}) {
      const r = await h.post(`/v1/scans?format=${format}&full=${opts.full ?? false}`, body, {}, opts.token ?? tenant.token);
      if (r.status !== 202) throw new Error(`scan refused: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.scanId as string;
    },
    async waitForScan(scanId, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = await h.get(`/v1/scans/${scanId}`);
        if (['completed', 'rejected', 'failed'].includes(r.body.status)) return r.body;
        if (Date.now() > deadline) throw new Error(`scan ${scanId} still ${r.body.status}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async bus() {
      bus ??= await connectBus({
        url: NATS_URL,
        name: 'ingest-test-client',
        config: { subjectRoot: env.DG_SUBJECT_ROOT, streamPrefix: env.DG_STREAM_PREFIX },
        log: createLogger({ level: 'silent', name: 't' }),
      });
      return bus;
    },
    async startPeer() {
      const n = peers.length + 1;
      const peer = await createIngestService(loadIngestConfig({ ...env, DG_INSTANCE_ID: `${env.DG_INSTANCE_ID}-peer${n}` }), {
        db: serviceDb,
        log: createLogger({ level: 'silent', name: 'ingest-test' }),
      });
      peers.push(peer);
      return `http://127.0.0.1:${(await peer.start()).port}`;
    },
    async stop() {
      for (const p of peers) await p.destroy();
      await svc.destroy();
      const b = await h.bus();
      for (const name of Object.values(streamNames({ streamPrefix: env.DG_STREAM_PREFIX })))
        await b.jsm.streams.delete(name).catch(() => undefined);
      await b.close();
      await serviceDb.destroy();
      await tdb.destroy();
    },
  };
  return h;
}

/** The drift rows of an environment with their changes, in a stable order, for row-by-row assertions. */
export async function driftRows(db: Kysely<Database>, envId: number, opts: { open?: boolean } = {}) {
  let q = db
    .selectFrom('drift_events')
    .select([
      'id',
      'drift_type',
      'resolved_at',
      'resolution_type',
      'metadata',
      'seen_count',
      'fingerprint',
      'declared_state',
      'actual_state',
      'iac_resource_id',
    ])
    .where('environment_id', '=', envId);
  if (opts.open) q = q.where('resolved_at', 'is', null);
  const events = await q.orderBy('id').execute();
  const changes = await db
    .selectFrom('drift_changes')
    .select([
      'drift_event_id',
      'property_path',
      'declared_value',
      'actual_value',
      'change_type',
      'is_security_critical',
      'is_sensitive',
      'security_rule_ids',
    ])
    .where('drift_event_id', 'in', events.length ? events.map((e) => e.id) : [-1])
    .orderBy('drift_event_id')
    .orderBy('property_path')
    .execute();
  return events.map((e) => {
    const meta = e.metadata as { resource: Record<string, unknown>; previousAddress?: string };
    return {
      id: e.id,
      type: e.drift_type,
      address: meta.resource.address as string | undefined,
      resourceType: meta.resource.type as string,
      physicalId: meta.resource.physicalId as string | undefined,
      previousAddress: meta.previousAddress,
      resolved: e.resolved_at !== null,
      resolutionType: e.resolution_type,
      seenCount: e.seen_count,
      metadata: e.metadata as Record<string, any>,
      declared: e.declared_state,
      actual: e.actual_state,
      changes: changes
        .filter((c) => c.drift_event_id === e.id)
        .map((c) => ({
          path: c.property_path,
          declared: c.declared_value,
          actual: c.actual_value,
          changeType: c.change_type,
          securityCritical: c.is_security_critical,
          sensitive: c.is_sensitive,
          rules: c.security_rule_ids as string[],
        })),
    };
  });
}

/** Runs the `dg` CLI in a child process with exactly `env` (plus PATH), feeding `stdin`. */
export function dg(
  args: string[],
  env: Record<string, string>,
  stdin?: Buffer,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', resolve(REPO_ROOT, 'apps/dg/src/main.ts'), ...args],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env['PATH'] ?? '', ...env },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

/** Polls `fn` until it returns a value (not undefined or false); throws after `timeoutMs`. */
/** A TCP port on 127.0.0.1 nothing listens on now, as the OS hands out (a random pick can land on RabbitMQ's 25672). */
export async function freePort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const address = probe.address();
  await new Promise<void>((done) => probe.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('the port probe has no TCP address');
  return address.port;
}

export async function waitUntil<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** An envelope as a producer would publish it (contract-valid unless the test says otherwise). */
export function envelope(type: string, orgId: number, envId: number, data: unknown) {
  return { id: uuidv7(), type, occurredAt: new Date().toISOString(), orgId, envId, data };
}
