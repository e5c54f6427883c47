/**
 * The one read of a scan body: parse (strictly), adapt, diff, bound, and encode the result for
 * the processor. Runs in a parse worker (scan-parse.pool.ts), so a large body never blocks the
 * service's event loop. Pure: no database, no network.
 */
import { gunzip, gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { runAdapter } from '../adapters/index.js';
import type { AdapterOutput, ScanFormat } from '../model/observation.js';
import { ScanFormatError } from '../model/scan-format.error.js';
import { compileIgnoreRules, type IgnoreRuleInput } from '../rules/index.js';
import { SCAN_LIMITS, type LimitHit } from '../limits.js';

export interface PrepareRequest {
  format: ScanFormat;
  body: Uint8Array;
  rules: IgnoreRuleInput[];
  declared?: unknown;
}

/** What the processor needs of a scan: the adapter's output, read once at intake. */
export interface PreparedScan {
  output: AdapterOutput;
  /** Rejected items past SCAN_LIMITS.maxRejectedReported, counted but not kept. */
  rejectedOmitted: number;
  /** Ignore rule id → observations or changes it suppressed. */
  suppressed: Record<string, number>;
}

export interface ScanFormatProblem {
  code: ScanFormatError['code'];
  format: ScanFormat;
  path: string;
  message: string;
  limit?: LimitHit;
}

export type PrepareResult =
  { ok: true; payload: Uint8Array; resourcesSeen: number; observations: number } | { ok: false; error: ScanFormatProblem };

/** Stored payloads in this form start with these bytes; older ones are the gzipped raw body. */
const PREPARED_MAGIC = Buffer.from('DGP1');

export function prepareScan(req: PrepareRequest): PrepareResult {
  try {
    const ignore = compileIgnoreRules(req.rules);
    const body = Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength);
    const output = runAdapter(req.format, body, { ignore, ...(req.declared !== undefined ? { declared: req.declared } : {}) });
    checkCounts(req.format, output);
    const rejectedOmitted = Math.max(0, output.rejected.length - SCAN_LIMITS.maxRejectedReported);
    if (rejectedOmitted > 0) output.rejected = output.rejected.slice(0, SCAN_LIMITS.maxRejectedReported);
    const prepared: PreparedScan = { output, rejectedOmitted, suppressed: Object.fromEntries(ignore.suppressedCounts()) };
    return {
      ok: true,
      payload: encodePreparedScan(prepared),
      resourcesSeen: output.resourcesSeen,
      observations: output.observations.length,
    };
  } catch (err) {
    if (!(err instanceof ScanFormatError)) throw err;
    return {
      ok: false,
      error: {
        code: err.code,
        format: err.format,
        path: err.path,
        message: err.message,
        ...(err.limit ? { limit: err.limit } : {}),
      },
    };
  }
}

function checkCounts(format: ScanFormat, out: AdapterOutput): void {
  const resources = Math.max(out.resourcesSeen, out.observations.length);
  if (resources > SCAN_LIMITS.maxResources) {
    const value = SCAN_LIMITS.maxResources;
    throw new ScanFormatError(
      'too_many',
      format,
      '',
      `the scan reports ${resources} resources; the limit (maxResources) is ${value}`,
      { limit: { limit: 'maxResources', value } },
    );
  }
  let changes = 0;
  for (const o of out.observations) if ('changes' in o) changes += o.changes.length;
  if (changes > SCAN_LIMITS.maxChanges) {
    const value = SCAN_LIMITS.maxChanges;
    throw new ScanFormatError(
      'too_many',
      format,
      '',
      `the scan reports ${changes} property changes; the limit (maxChanges) is ${value}`,
      { limit: { limit: 'maxChanges', value } },
    );
  }
}

/** Rebuilds the error a worker reported, so callers see the same class as an inline parse. */
export function toScanFormatError(p: ScanFormatProblem): ScanFormatError {
  return new ScanFormatError(p.code, p.format, p.path, p.message, p.limit ? { limit: p.limit } : undefined);
}

export function encodePreparedScan(p: PreparedScan): Buffer {
  return Buffer.concat([PREPARED_MAGIC, gzipSync(JSON.stringify(p), { level: 1 })]);
}

export function isPreparedPayload(payload: Buffer): boolean {
  return payload.subarray(0, PREPARED_MAGIC.length).equals(PREPARED_MAGIC);
}

const gunzipAsync = promisify(gunzip);

/**
 * Decodes a payload this service wrote (never wire data: intake has already read and checked
 * the body it came from). Decompression runs off the event loop.
 */
export async function decodePreparedScan(payload: Buffer): Promise<PreparedScan> {
  const json = await gunzipAsync(payload.subarray(PREPARED_MAGIC.length));
  return JSON.parse(json.toString('utf8')) as PreparedScan;
}
