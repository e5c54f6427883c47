import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeScanBody, readScanBody, ScanBodyError } from './scan-body.js';

const limits = { maxWireBytes: 1_000_000, maxInflatedBytes: 2_000_000, maxInflationRatio: 50, inflationRatioFloorBytes: 100_000 };

async function refusal(p: Promise<unknown>): Promise<ScanBodyError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ScanBodyError) return err;
    throw err;
  }
  throw new Error('expected a ScanBodyError');
}

describe('reading a scan body within its bounds', () => {
  it('inflates gzip (by header or magic bytes) within the bounds', async () => {
    const text = Buffer.from(JSON.stringify({ items: Array.from({ length: 1000 }, (_, i) => `item-${i}-${(i * 7919) % 1013}`) }));
    expect((await decodeScanBody(gzipSync(text), undefined, limits)).equals(text)).toBe(true);
    expect((await decodeScanBody(text, undefined, limits)).equals(text)).toBe(true);
  });

  it('stops at the inflated size bound when the ratio is plausible', async () => {
    const random = Buffer.from(Array.from({ length: 2_500_000 }, (_, i) => 97 + (((i * 2654435761) >>> 27) % 16)));
    const err = await refusal(decodeScanBody(gzipSync(random), 'gzip', { ...limits, maxInflationRatio: 1_000_000 }));
    expect(err).toMatchObject({ code: 'too_large', limit: { limit: 'maxInflatedBytes', value: 2_000_000 } });
  });

  it('stops a bomb at the ratio bound, before it is inflated whole', async () => {
    const err = await refusal(
      decodeScanBody(gzipSync(Buffer.alloc(50_000_000, 0x20)), 'gzip', { ...limits, maxInflatedBytes: 100_000_000 }),
    );
    expect(err).toMatchObject({ code: 'too_large', limit: { limit: 'maxInflationRatio', value: 50 } });
  });

  it('refuses a body announced past the wire bound before reading any of it', async () => {
    let read = 0;
    async function* never() {
      read++;
      yield Buffer.from('{}');
    }
    const err = await refusal(readScanBody(never(), undefined, limits, 1_000_001));
    expect(err).toMatchObject({ code: 'too_large', limit: { limit: 'maxWireBytes', value: 1_000_000 } });
    expect(read).toBe(0);
  });

  it('refuses a body over the wire bound, an empty body and bad gzip', async () => {
    expect(await refusal(decodeScanBody(Buffer.alloc(1_000_001, 0x20), undefined, limits))).toMatchObject({
      limit: { limit: 'maxWireBytes' },
    });
    expect(await refusal(decodeScanBody(Buffer.alloc(0), undefined, limits))).toMatchObject({ code: 'empty_body' });
    expect(await refusal(decodeScanBody(Buffer.from('not gzip'), 'gzip', limits))).toMatchObject({ code: 'bad_gzip' });
  });
});
