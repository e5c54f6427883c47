import { gunzipSync } from 'node:zlib';

/** Largest scan accepted on the wire (compressed or not). */
export const MAX_SCAN_BYTES = 50 * 1024 * 1024;
/** Largest scan once decompressed: a gzip bomb stops here. */
export const MAX_INFLATED_BYTES = 512 * 1024 * 1024;

export class ScanBodyError extends Error {
  override readonly name = 'ScanBodyError';
  constructor(
    readonly code: 'empty_body' | 'bad_gzip' | 'too_large',
    message: string,
  ) {
    super(message);
  }
}

/** The scan as the scanner wrote it: gunzipped when sent compressed (by header or by magic bytes). */
export function decodeScanBody(raw: Buffer, contentEncoding: string | undefined): Buffer {
  if (raw.length === 0) throw new ScanBodyError('empty_body', 'the request body is empty; send the scanner output');
  const gzipped = /gzip/i.test(contentEncoding ?? '') || (raw[0] === 0x1f && raw[1] === 0x8b);
  if (!gzipped) return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new ScanBodyError('too_large', `the decompressed scan exceeds ${MAX_INFLATED_BYTES} bytes`);
    throw new ScanBodyError('bad_gzip', `the body is not valid gzip: ${(err as Error).message}`);
  }
}
