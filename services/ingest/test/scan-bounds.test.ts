import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type IngestHarness } from './harness.js';
import { tfstateScan } from './builders.js';
import { SCAN_LIMITS } from '../src/limits.js';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest('scanbounds');
});
afterAll(async () => {
  await h?.stop();
});

const scanCount = async () =>
  Number(
    (
      await h.db
        .selectFrom('scans')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/**
 * POSTs a scan with node:http and polls /healthz from the moment the whole body has been handed
 * to the socket until the scan's answer arrives: the answers counted came while the service was
 * reading, inflating and parsing that body.
 */
async function postWhileProbing(query: string, body: Buffer, headers: Record<string, string> = {}) {
  const url = new URL(`${h.url}/v1/scans?${query}`);
  let sent = false;
  let answered = false;
  let healthyDuringParse = 0;
  const probing = (async () => {
    while (!sent) await new Promise((r) => setTimeout(r, 5));
    while (!answered) {
      const res = await fetch(`${h.url}/healthz`);
      // Counted only if the scan's answer had still not arrived when /healthz answered.
      if (res.status === 200 && !answered) healthyDuringParse++;
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const response = await new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${h.tenant.token}`, 'content-length': String(body.length), ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          answered = true;
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(body, () => (sent = true));
  });
  answered = true;
  await probing;
  return { ...response, healthyDuringParse };
}

describe('each scan is read within named bounds while the service keeps answering', () => {
  it('stops a gzip bomb by its inflation ratio (413, maxInflationRatio) and keeps /healthz answering', async () => {
    const bomb = gzipSync(Buffer.from(`[${'{},'.repeat(21_000_000)}{}]`), { level: 9 });
    expect(bomb.length).toBeLessThan(200_000);
    const r = await postWhileProbing('format=driftctl', bomb, { 'content-encoding': 'gzip' });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ limit: 'maxInflationRatio', max: SCAN_LIMITS.maxInflationRatio, code: 'payload_too_large' });
    expect(await scanCount()).toBe(0);
  });

  it('refuses a flood of JSON containers before building them (422, maxJsonContainers)', async () => {
    const flood = Buffer.from(
      `{"managed":[${'{},'.repeat(SCAN_LIMITS.maxJsonContainers)}{}],"unmanaged":[],"missing":[],"summary":{}}`,
    );
    const r = await postWhileProbing('format=driftctl', flood);
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ code: 'too_many', limit: 'maxJsonContainers', max: SCAN_LIMITS.maxJsonContainers });
    expect(r.body.errors[0].path).toMatch(/^\/managed\/\d+$/);
    expect(await scanCount()).toBe(0);
  });

  it('refuses more resources than maxResources (422 naming the bound)', async () => {
    const item = '{"id":"i","type":"aws_s3_bucket"},';
    const body = Buffer.from(
      `{"managed":[${item.repeat(SCAN_LIMITS.maxResources)}${item.slice(0, -1)}],"unmanaged":[],"missing":[],"summary":{}}`,
    );
    const r = await h.post('/v1/scans?format=driftctl', body);
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ code: 'too_many', limit: 'maxResources', max: SCAN_LIMITS.maxResources });
    expect(await scanCount()).toBe(0);
  });

  it('refuses more native observations than maxResources before reading each one (422 naming the bound)', async () => {
    const body = Buffer.from(`{"format":"native","version":1,"observations":[${'{},'.repeat(SCAN_LIMITS.maxResources)}{}]}`);
    const r = await h.post('/v1/scans?format=native', body);
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ code: 'too_many', limit: 'maxResources', max: SCAN_LIMITS.maxResources });
    expect(r.body.errors[0].path).toBe('/observations');
    expect(await scanCount()).toBe(0);
  });

  it('keeps the first rejected items and counts the rest', async () => {
    const n = SCAN_LIMITS.maxRejectedReported + 500;
    const body = `{"managed":[${Array.from({ length: n }, () => '{"note":"no type, no id"}').join(',')}],"unmanaged":[],"missing":[],"summary":{}}`;
    const r = await h.post('/v1/scans?format=driftctl', body);
    expect(r.status).toBe(202);
    const scan = await h.waitForScan(r.body.scanId);
    expect(scan.status).toBe('completed');
    expect(scan.rejected).toHaveLength(SCAN_LIMITS.maxRejectedReported);
    expect(scan.rejected[0]).toMatchObject({ path: '/managed/0' });
    expect(scan.report.rejectedNotShown).toBe(500);
  });

  it('reads a large scan in a worker: /healthz answers while it is parsed, and the scan is processed', async () => {
    const body = Buffer.from(tfstateScan(30_000, (i) => i % 1000 === 0));
    const r = await postWhileProbing('format=tfstate&full=true', body);
    expect(r.status).toBe(202);
    expect(r.healthyDuringParse).toBeGreaterThan(0);
    const scan = await h.waitForScan(r.body.scanId, 120_000);
    expect(scan).toMatchObject({ status: 'completed', counts: { resourcesSeen: 30_000, driftsOpened: 30 } });
  });
});
