import { createGunzip } from 'node:zlib';
import { SCAN_LIMITS, type LimitHit, type ScanLimitName } from '../limits.js';

/** Largest scan accepted on the wire (compressed or not). */
export const MAX_SCAN_BYTES = SCAN_LIMITS.maxWireBytes;

export type ScanBodyErrorCode = 'empty_body' | 'bad_gzip' | 'too_large';

/** A request body that cannot be read as a scan; `limit` names the bound a `too_large` body passed. */
export class ScanBodyError extends Error {
  override readonly name = 'ScanBodyError';
  constructor(
    readonly code: ScanBodyErrorCode,
    message: string,
    readonly limit?: LimitHit,
  ) {
    super(message);
  }
}

/** The bounds a body is read under (SCAN_LIMITS unless a test narrows them). */
export type ScanBodyLimits = Record<
  'maxWireBytes' | 'maxInflatedBytes' | 'maxInflationRatio' | 'inflationRatioFloorBytes',
  number
>;

function tooLarge(limit: ScanLimitName, value: number, what: string): ScanBodyError {
  return new ScanBodyError('too_large', `${what}; the limit (${limit}) is ${value}`, { limit, value });
}

/**
 * Reads a scan body as it streams in: gunzipped when sent compressed (by header or by magic
 * bytes), with the wire size, the inflated size and the inflation ratio checked chunk by chunk,
 * so a gzip bomb is stopped after a few megabytes instead of being inflated whole. Decompression
 * runs on zlib's thread pool; the event loop only copies chunks.
 */
export async function readScanBody(
  source: AsyncIterable<Buffer | string>,
  contentEncoding: string | undefined,
  limits: ScanBodyLimits = SCAN_LIMITS,
  /** The request's Content-Length: a body announced past the bound is refused before it is read. */
  announcedBytes?: number,
): Promise<Buffer> {
  if (announcedBytes !== undefined && announcedBytes > limits.maxWireBytes)
    throw tooLarge(
      'maxWireBytes',
      limits.maxWireBytes,
      `the request body (${announcedBytes} bytes) exceeds ${limits.maxWireBytes} bytes`,
    );
  const wire: Buffer[] = [];
  let wireBytes = 0;
  const it = source[Symbol.asyncIterator]();
  let gzipped = /gzip/i.test(contentEncoding ?? '');
  let decided = gzipped;
  let gunzip: ReturnType<typeof createGunzip> | undefined;
  const out: Buffer[] = [];
  let outBytes = 0;
  let failure: Error | undefined;
  const failed = (): Error | undefined => failure;
  let inflated: Promise<void> | undefined;

  const startGunzip = () => {
    const z = createGunzip();
    inflated = new Promise<void>((resolve) => {
      z.on('data', (chunk: Buffer) => {
        if (failure) return;
        outBytes += chunk.length;
        if (outBytes > limits.maxInflatedBytes) {
          failure = tooLarge(
            'maxInflatedBytes',
            limits.maxInflatedBytes,
            `the decompressed scan exceeds ${limits.maxInflatedBytes} bytes`,
          );
        } else if (outBytes > limits.inflationRatioFloorBytes && outBytes > limits.maxInflationRatio * wireBytes) {
          failure = tooLarge(
            'maxInflationRatio',
            limits.maxInflationRatio,
            `the body inflates more than ${limits.maxInflationRatio}× (a decompression bomb?)`,
          );
        } else out.push(chunk);
        if (failure) {
          out.length = 0;
          z.destroy();
          resolve();
        }
      });
      z.on('error', (err) => {
        failure ??= new ScanBodyError('bad_gzip', `the body is not valid gzip: ${err.message}`);
        resolve();
      });
      z.on('end', () => resolve());
      z.on('close', () => resolve());
    });
    return z;
  };

  for (let r = await it.next(); !r.done; r = await it.next()) {
    const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    wireBytes += chunk.length;
    if (wireBytes > limits.maxWireBytes) {
      // The rest of the request is not read; the route answers with `connection: close`.
      gunzip?.destroy();
      throw tooLarge('maxWireBytes', limits.maxWireBytes, `the request body exceeds ${limits.maxWireBytes} bytes`);
    }
    if (!decided) {
      decided = true;
      gzipped = chunk[0] === 0x1f && chunk[1] === 0x8b;
    }
    if (!gzipped) {
      wire.push(chunk);
      continue;
    }
    gunzip ??= startGunzip();
    if (failure) break;
    // Backpressure: wait for zlib to drain before reading more of the request.
    if (!gunzip.write(chunk)) await drained(gunzip);
    if (failure) break;
  }
  if (failure) throw failure;
  if (wireBytes === 0) throw new ScanBodyError('empty_body', 'the request body is empty; send the scanner output');
  if (!gunzip) {
    if (wireBytes > limits.maxInflatedBytes)
      throw tooLarge('maxInflatedBytes', limits.maxInflatedBytes, `the scan exceeds ${limits.maxInflatedBytes} bytes`);
    return Buffer.concat(wire, wireBytes);
  }
  gunzip.end();
  await inflated;
  // Set by the stream's callbacks while awaiting, which the compiler's narrowing cannot see.
  const late = failed();
  if (late) throw late;
  return Buffer.concat(out, outBytes);
}

/** Resolves when a writable drains or closes, leaving no listener behind. */
function drained(w: ReturnType<typeof createGunzip>): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      w.off('drain', done);
      w.off('close', done);
      resolve();
    };
    w.on('drain', done);
    w.on('close', done);
  });
}

/** The scan as the scanner wrote it, from a body already in memory (NATS submissions). */
export async function decodeScanBody(
  raw: Buffer,
  contentEncoding: string | undefined,
  limits: ScanBodyLimits = SCAN_LIMITS,
): Promise<Buffer> {
  async function* once() {
    yield raw;
  }
  return readScanBody(once(), contentEncoding, limits);
}
