/**
 * Time to ingest one 10,000-resource tfstate + inventory scan with 1,000 drifts, end to end:
 * HTTP submit → recorded → processed → drift rows, changes, audit and outbox committed.
 * Then a 100,000-resource scan (gzip) sent to ingest running as its own process, with that
 * process's peak RSS (VmHWM, worker threads included).
 * Runs a real ingest service against PostgreSQL (DATABASE_URL) and NATS (NATS_URL).
 */
import { spawn } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import type { Database } from '@driftguard/db';
import { createTestDatabase } from '@driftguard/db/testing';
import type { Kysely } from 'kysely';
import { connectBus, streamNames } from '@driftguard/bus';
import { createLogger } from '@driftguard/runtime';
import { createIngestService } from '../services/ingest/src/service.js';
import { loadIngestConfig } from '../services/ingest/src/config.js';
import { createTenant } from '../services/ingest/test/harness.js';
import { tfstateScan } from '../services/ingest/test/builders.js';
import { cpuSeconds, freePort, peakRssMb } from './bench-processes.js';
import type { BenchRow } from './diff.bench.js';

const RESOURCES = 10_000;

/** A scan of `resources` resources that took `ms` from submission to completion, as a bench row. */
function row(bench: string, engine: string, resources: number, ms: number, note: string): BenchRow {
  return {
    bench,
    engine,
    pairs: resources,
    opsPerSec: Math.round((resources * 1000) / ms),
    msPer1k: (ms * 1000) / resources,
    note,
  };
}
const DRIFTS = 1_000;

export async function run(): Promise<BenchRow[]> {
  return [...(await runInProcess()), await runLargeScanInChildProcess()];
}

/**
 * Submits one full tfstate scan and polls its row until it is settled; the times are
 * performance.now() at submission, at the 202 and at completion.
 */
async function submitAndWait(
  db: Kysely<Database>,
  base: string,
  token: string,
  body: string | Buffer,
  headers: Record<string, string>,
) {
  const t0 = performance.now();
  const res = await fetch(`${base}/v1/scans?format=tfstate&full=true`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...headers },
    body,
  });
  if (res.status !== 202) throw new Error(`scan refused: ${res.status} ${await res.text()}`);
  const accepted = performance.now();
  const { scanId } = (await res.json()) as { scanId: string };
  for (;;) {
    const scan = await db.selectFrom('scans').selectAll().where('id', '=', scanId).executeTakeFirstOrThrow();
    if (scan.status !== 'accepted' && scan.status !== 'processing') return { t0, accepted, done: performance.now(), scan };
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function runInProcess(): Promise<BenchRow[]> {
  const tdb = await createTestDatabase('bench_ingest');
  const suffix = randomBytes(4).toString('hex');
  const env = {
    DATABASE_URL: tdb.url,
    NATS_URL: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
    PORT: '0',
    LOG_LEVEL: 'warn',
    DG_SUBJECT_ROOT: `b${suffix}`,
    DG_STREAM_PREFIX: `B${suffix}_`,
    DG_SCAN_POLL_MS: '50',
    DG_MASTER_KEY: `b1:${randomBytes(32).toString('base64')}`,
  };
  const log = createLogger({ level: 'warn', name: 'bench' });
  const svc = await createIngestService(loadIngestConfig(env), { db: tdb.db, log });
  const { port } = await svc.start();
  const tenant = await createTenant(tdb.db);
  const body = tfstateScan(RESOURCES, (i) => i % (RESOURCES / DRIFTS) === 0);
  const rows: BenchRow[] = [];
  try {
    for (const round of ['first scan (opens 1,000 drifts)', 'same scan again (refreshes them)']) {
      const { t0, accepted, done, scan } = await submitAndWait(tdb.db, `http://127.0.0.1:${port}`, tenant.token, body, {});
      const note =
        `${RESOURCES} resources (${(body.length / 1e6).toFixed(1)} MB), status ${scan.status}, ` +
        `opened ${scan.drifts_opened}, updated ${scan.drifts_updated}, resolved ${scan.drifts_resolved}; ` +
        `202 after ${(accepted - t0).toFixed(0)} ms, completed after ${((done - t0) / 1000).toFixed(2)} s (goal < 10 s)`;
      console.log(`ingest  ${round}: ${note}`);
      rows.push(row(`ingest ${RESOURCES.toLocaleString('en-US')}`, round, RESOURCES, done - t0, note));
    }
    return rows;
  } finally {
    await svc.destroy();
    const bus = await connectBus({
      url: env.NATS_URL,
      name: 'bench-cleanup',
      config: { streamPrefix: env.DG_STREAM_PREFIX, subjectRoot: env.DG_SUBJECT_ROOT },
      log,
    });
    for (const s of Object.values(streamNames({ streamPrefix: env.DG_STREAM_PREFIX })))
      await bus.jsm.streams.delete(s).catch(() => undefined);
    await bus.close();
    await tdb.destroy();
  }
}

const LARGE_RESOURCES = 100_000;
const LARGE_DRIFTS = 1_000;

async function runLargeScanInChildProcess(): Promise<BenchRow> {
  const tdb = await createTestDatabase('bench_ingest_large');
  const suffix = randomBytes(4).toString('hex');
  const port = await freePort();
  const env = {
    DATABASE_URL: tdb.url,
    NATS_URL: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    DG_SUBJECT_ROOT: `b${suffix}`,
    DG_STREAM_PREFIX: `B${suffix}_`,
    DG_SCAN_POLL_MS: '50',
    DG_MASTER_KEY: `b1:${randomBytes(32).toString('base64')}`,
  };
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'services/ingest/src/main.ts'], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const log = createLogger({ level: 'warn', name: 'bench' });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let ready = false; !ready;) {
      ready = await fetch(`${base}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    const tenant = await createTenant(tdb.db);
    const raw = Buffer.from(tfstateScan(LARGE_RESOURCES, (i) => i % (LARGE_RESOURCES / LARGE_DRIFTS) === 0));
    const body = gzipSync(raw);
    const rssBefore = peakRssMb(child.pid!);
    const cpuBefore = cpuSeconds(child.pid!);
    const { t0, accepted, done, scan } = await submitAndWait(tdb.db, base, tenant.token, body, { 'content-encoding': 'gzip' });
    const note =
      `${LARGE_RESOURCES.toLocaleString('en-US')} resources, gzip ${(body.length / 1e6).toFixed(1)} MB (${(raw.length / 1e6).toFixed(1)} MB inflated), ` +
      `status ${scan.status}, opened ${scan.drifts_opened}; 202 after ${(accepted - t0).toFixed(0)} ms, ` +
      `completed after ${((done - t0) / 1000).toFixed(2)} s (goal < 10 s), ingest CPU ${(cpuSeconds(child.pid!) - cpuBefore).toFixed(1)} s; ` +
      `ingest process peak RSS ${peakRssMb(child.pid!).toFixed(0)} MB (idle ${rssBefore.toFixed(0)} MB; goal < 1024 MB)`;
    console.log(`ingest  ${note}`);
    return row(
      `ingest ${LARGE_RESOURCES.toLocaleString('en-US')}`,
      'gzip tfstate, own process',
      LARGE_RESOURCES,
      done - t0,
      note,
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    const bus = await connectBus({
      url: env.NATS_URL,
      name: 'bench-cleanup',
      config: { streamPrefix: env.DG_STREAM_PREFIX, subjectRoot: env.DG_SUBJECT_ROOT },
      log,
    });
    for (const s of Object.values(streamNames({ streamPrefix: env.DG_STREAM_PREFIX })))
      await bus.jsm.streams.delete(s).catch(() => undefined);
    await bus.close();
    await tdb.destroy();
  }
}
