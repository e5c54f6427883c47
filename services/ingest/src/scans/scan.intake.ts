import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '@driftguard/db';
import { uuidv7 } from 'uuidv7';
import { insertScan, type NewScan } from './scans.queries.js';
import { loadScanInputs } from './scan-inputs.js';
import { toScanFormatError } from './scan-prepare.js';
import type { ScanParsePool } from './scan-parse.pool.js';

/** A scan as submitted: what is recorded, with the body as sent instead of its stored form. */
export interface ScanSubmission extends Omit<NewScan, 'id' | 'payloadGzip' | 'payloadSha256'> {
  /** The scanner's output, decompressed. */
  body: Buffer;
  /** A caller-chosen id (the NATS envelope id), so a redelivered submission is recorded once. */
  id?: string;
}

export interface AcceptedScan {
  scanId: string;
  created: boolean;
  resourcesSeen: number;
  observations: number;
}

/**
 * Reads a submitted scan once, in a parse worker: a bad one is refused before anything is
 * written (ScanFormatError naming the format, path, problem and any bound passed); a good one is
 * recorded as its adapter output, so the processor neither parses nor diffs it again. Processing
 * happens later from the record, so an accepted scan survives a restart.
 */
export async function acceptScan(
  db: Kysely<Database>,
  pool: ScanParsePool,
  s: ScanSubmission,
  tx?: Transaction<Database>,
): Promise<AcceptedScan> {
  const inputs = await loadScanInputs(db, s.orgId, s.envId, s.format);
  const sha256 = createHash('sha256').update(s.body).digest();
  const prepared = await pool.prepare({
    format: s.format,
    body: s.body,
    rules: inputs.rules,
    ...(inputs.declared !== undefined ? { declared: inputs.declared } : {}),
  });
  if (!prepared.ok) throw toScanFormatError(prepared.error);
  const scanId = s.id ?? uuidv7();
  const created = await insertScan(tx ?? db, {
    id: scanId,
    orgId: s.orgId,
    envId: s.envId,
    format: s.format,
    full: s.full,
    ...(s.scanner ? { scanner: s.scanner } : {}),
    source: s.source,
    payloadGzip: Buffer.from(prepared.payload.buffer, prepared.payload.byteOffset, prepared.payload.byteLength),
    payloadSha256: sha256,
  });
  return { scanId, created, resourcesSeen: prepared.resourcesSeen, observations: prepared.observations };
}
