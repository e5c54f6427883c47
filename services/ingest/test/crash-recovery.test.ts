import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { connectBus, streamNames } from '@driftguard/bus';
import { createLogger } from '@driftguard/runtime';
import { createTenant, freePort, NATS_URL, REPO_ROOT, waitUntil, type Tenant } from './harness.js';
import { tfstateScan } from './builders.js';

/**
 * kill -9 of the ingest process in the middle of a scan, then a restart: the scan is finished by
 * the new process from its recorded copy, with no drift missing and none doubled.
 */
const N = 3000;
let tdb: TestDatabase;
let tenant: Tenant;
const suffix = randomBytes(4).toString('hex');
const env = {
  ...process.env,
  NATS_URL,
  LOG_LEVEL: 'warn',
  DG_SUBJECT_ROOT: `c${suffix}`,
  DG_STREAM_PREFIX: `C${suffix}_`,
  DG_SCAN_BATCH_SIZE: '50',
  DG_SCAN_LEASE_MS: '1500',
  DG_SCAN_POLL_MS: '100',
  DG_MASTER_KEY: `k1:${randomBytes(32).toString('base64')}`,
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_LOGS_EXPORTER: 'none',
};
const children: ChildProcess[] = [];

function startIngest(port: number, extra: Record<string, string> = {}): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', resolve(REPO_ROOT, 'services/ingest/src/main.ts')],
    {
      cwd: REPO_ROOT,
      env: { ...env, DATABASE_URL: tdb.url, PORT: String(port), DG_INSTANCE_ID: `crash-${port}`, ...extra },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  children.push(child);
  return child;
}

/** Stops every ingest process still running, so the next test's scans meet only its own. */
async function stopChildren(): Promise<void> {
  await Promise.all(
    children
      .filter((c) => c.exitCode === null && c.signalCode === null)
      .map((c) => new Promise((r) => (c.once('exit', r), c.kill('SIGTERM')))),
  );
}

beforeAll(async () => {
  tdb = await createTestDatabase('crash');
  tenant = await createTenant(tdb.db);
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  const bus = await connectBus({
    url: NATS_URL,
    name: 'crash-cleanup',
    config: { streamPrefix: env.DG_STREAM_PREFIX, subjectRoot: env.DG_SUBJECT_ROOT },
    log: createLogger({ level: 'silent', name: 't' }),
  });
  for (const s of Object.values(streamNames({ streamPrefix: env.DG_STREAM_PREFIX })))
    await bus.jsm.streams.delete(s).catch(() => undefined);
  await bus.close();
  await tdb?.destroy();
});

it('finishes a scan after kill -9 mid-way with every drift exactly once', async () => {
  const port = await freePort();
  const first = startIngest(port);
  await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 120_000);
  const res = await fetch(`http://127.0.0.1:${port}/v1/scans?format=tfstate&full=true`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tenant.token}` },
    body: tfstateScan(N, () => true),
  });
  expect(res.status).toBe(202);
  const { scanId } = (await res.json()) as { scanId: string };

  // wait until part of the scan is written, then kill the process without warning
  const partial = await waitUntil(async () => {
    const s = await tdb.db.selectFrom('scans').select(['drifts_opened', 'status']).where('id', '=', scanId).executeTakeFirst();
    return s && s.drifts_opened > 0 && s.drifts_opened < N ? s : undefined;
  });
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  expect(partial.status).toBe('processing');
  const before = await tdb.db
    .selectFrom('scans')
    .select(['drifts_opened', 'status'])
    .where('id', '=', scanId)
    .executeTakeFirstOrThrow();
  expect(before.drifts_opened).toBeLessThan(N);

  startIngest(await freePort());
  const done = await waitUntil(async () => {
    const s = await tdb.db.selectFrom('scans').selectAll().where('id', '=', scanId).executeTakeFirst();
    return s && s.status === 'completed' ? s : undefined;
  }, 120_000);
  expect(done.attempts).toBe(2);
  expect(done.drifts_opened).toBe(N);
  expect(done.drifts_updated).toBe(0);

  const drifts = await tdb.db
    .selectFrom('drift_events')
    .select(['id', 'fingerprint', 'resource_key'])
    .where('environment_id', '=', tenant.envId)
    .execute();
  expect(drifts).toHaveLength(N);
  expect(new Set(drifts.map((d) => d.resource_key)).size).toBe(N);
  const changes = await tdb.db.selectFrom('drift_changes').select(['drift_event_id']).execute();
  expect(changes).toHaveLength(N);
  const detected = await tdb.db.selectFrom('outbox').select(['payload']).where('event_type', '=', 'drift.detected.v1').execute();
  expect(detected).toHaveLength(N);
  expect(new Set(detected.map((d) => (d.payload as { data: { driftEventId: number } }).data.driftEventId)).size).toBe(N);
  await stopChildren();
}, 300_000);

it('hands a scan back on SIGTERM, exits 0, and the next process finishes it without waiting out the lease', async () => {
  const other = await createTenant(tdb.db);
  // a lease far longer than this test waits: only the hand-back lets the next process resume
  const slow = { DG_SCAN_LEASE_MS: '600000' };
  const port = await freePort();
  const first = startIngest(port, slow);
  await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 120_000);
  const res = await fetch(`http://127.0.0.1:${port}/v1/scans?format=tfstate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${other.token}` },
    body: tfstateScan(N, (i) => i % 2 === 0),
  });
  const { scanId } = (await res.json()) as { scanId: string };
  await waitUntil(async () => {
    const s = await tdb.db.selectFrom('scans').select(['drifts_opened']).where('id', '=', scanId).executeTakeFirst();
    return s && s.drifts_opened > 0 && s.drifts_opened < N / 2;
  });
  first.kill('SIGTERM');
  const code = await new Promise((r) => first.once('exit', r));
  expect(code).toBe(0);
  const handedBack = await tdb.db
    .selectFrom('scans')
    .select(['status', 'drifts_opened'])
    .where('id', '=', scanId)
    .executeTakeFirstOrThrow();
  expect(handedBack.status).toBe('processing');

  startIngest(await freePort(), slow);
  const done = await waitUntil(async () => {
    const s = await tdb.db.selectFrom('scans').selectAll().where('id', '=', scanId).executeTakeFirst();
    return s && s.status === 'completed' ? s : undefined;
  }, 90_000);
  expect(done.drifts_opened).toBe(N / 2);
  const drifts = await tdb.db
    .selectFrom('drift_events')
    .select(['resource_key'])
    .where('environment_id', '=', other.envId)
    .execute();
  expect(drifts).toHaveLength(N / 2);
  expect(new Set(drifts.map((d) => d.resource_key)).size).toBe(N / 2);
}, 300_000);
