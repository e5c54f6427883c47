import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from 'uuidv7';
import { createHash } from 'node:crypto';
import { driftRows, fixture, startIngest, type IngestHarness } from './harness.js';
import { tfstateScan } from './builders.js';
import { insertScan } from '../src/scans/scans.queries.js';
import { encodePreparedScan } from '../src/scans/scan-prepare.js';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest('scanfailures');
});
afterAll(async () => {
  await h?.stop();
});

describe('a scan that cannot be processed fails at once, with its reason, and does not hold up the next', () => {
  it('fails a scan whose drift PostgreSQL refuses on the first attempt, naming the item, and completes the next scan of the environment', async () => {
    // Recorded as an older intake (without the strict read) could have recorded it: a NUL jsonb refuses.
    const badId = uuidv7();
    await insertScan(h.db, {
      id: badId,
      orgId: h.tenant.orgId,
      envId: h.tenant.envId,
      format: 'driftctl',
      full: false,
      source: 'http',
      payloadGzip: encodePreparedScan({
        output: {
          format: 'driftctl',
          resourcesSeen: 2,
          rejected: [],
          observations: [
            { kind: 'added', resource: { type: 'aws_s3_bucket', physicalId: 'fine-bucket' }, actual: { name: 'fine' } },
            { kind: 'added', resource: { type: 'aws_s3_bucket', physicalId: 'bad-bucket' }, actual: { name: 'a\u0000b' } },
          ],
        },
        rejectedOmitted: 0,
        suppressed: {},
      }),
      payloadSha256: createHash('sha256').update('bad').digest(),
    });
    const goodId = await h.submit('driftctl', fixture('driftctl/scan-output.v0.40.json'));

    const bad = await h.waitForScan(badId);
    expect(bad.status).toBe('failed');
    expect(bad.attempts).toBe(1);
    expect(bad.error).toMatchObject({
      code: 'processing_failed',
      sqlstate: '22P05',
      item: { resourceType: 'aws_s3_bucket', physicalId: 'bad-bucket', driftType: 'added' },
    });
    expect(bad.error.message).toMatch(/unicode|\\u0000|unsupported/i);

    const good = await h.waitForScan(goodId);
    expect(good).toMatchObject({ status: 'completed', attempts: 1, counts: { driftsOpened: 4 } });
    // Nothing of the failed scan's batch was kept.
    const bucket = (await driftRows(h.db, h.tenant.envId)).filter((d) => d.physicalId === 'fine-bucket');
    expect(bucket).toEqual([]);
  });

  it('opens a drift for integers past 2^53 that differ only beyond float precision', async () => {
    const text = tfstateScan(1, () => false);
    const at = text.indexOf('"monitoring":true');
    const second = text.indexOf('"monitoring":true', at + 1);
    const body =
      text.slice(0, at) +
      '"monitoring":12345678901234567891' +
      text.slice(at + 17, second) +
      '"monitoring":12345678901234567892' +
      text.slice(second + 17);
    const scan = await h.waitForScan(await h.submit('tfstate', body));
    expect(scan).toMatchObject({ status: 'completed', counts: { driftsOpened: 1 } });
    const [drift] = (await driftRows(h.db, h.tenant.envId)).filter((d) => d.resourceType === 'aws_instance');
    expect(drift!.changes).toEqual([
      expect.objectContaining({ path: '/monitoring', declared: '12345678901234567891', actual: '12345678901234567892' }),
    ]);
  });
});
