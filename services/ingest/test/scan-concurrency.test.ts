import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cfnDrifts } from './builders.js';
import { createTenant, startIngest, waitUntil, type IngestHarness, type Tenant } from './harness.js';

/** First key of ingest's advisory lock on an environment's drift writes (scans.queries.ts). */
const DRIFT_WRITES_LOCK = 0x4447_0101;

let h: IngestHarness;
let other: Tenant;
let holder: pg.Client;

beforeAll(async () => {
  h = await startIngest('scan_concurrency', { DG_SCAN_CONCURRENCY: '2' });
  other = await createTenant(h.db);
  holder = new pg.Client({ connectionString: h.tdb.url });
  await holder.connect();
});
afterAll(async () => {
  await holder?.end();
  await h?.stop();
});

const scan = cfnDrifts([{ id: 'Queue1', diffs: [['/DelaySeconds', 0, 30]] }]);
const statusOf = async (scanId: string, token: string) => (await h.get(`/v1/scans/${scanId}`, token)).body.status as string;

it("works on another environment's scan while one environment's scan is held up", async () => {
  // Environment A's drift writes wait for this session's lock: its scan stays in processing.
  await holder.query('select pg_advisory_lock($1, $2)', [DRIFT_WRITES_LOCK, h.tenant.envId]);
  const held = await h.submit('cloudformation', scan);
  await waitUntil(async () => (await statusOf(held, h.tenant.token)) === 'processing');

  // With one worker, B's scan would queue behind A's; with two it completes meanwhile.
  const free = await h.submit('cloudformation', scan, { token: other.token });
  await waitUntil(async () => (await statusOf(free, other.token)) === 'completed', 30_000);
  expect(await statusOf(held, h.tenant.token)).toBe('processing');

  await holder.query('select pg_advisory_unlock($1, $2)', [DRIFT_WRITES_LOCK, h.tenant.envId]);
  const done = await h.waitForScan(held, 30_000);
  expect(done.status).toBe('completed');
  expect(done.counts.driftsOpened).toBe(1);
});
