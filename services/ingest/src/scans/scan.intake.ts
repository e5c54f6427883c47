import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '@driftguard/db';
import { uuidv7 } from 'uuidv7';
import { runAdapter } from '../adapters/index.js';
import { insertScan, type NewScan } from './scans.queries.js';
import { loadScanInputs } from './scan-inputs.js';

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
 * Reads a submitted scan once with its adapter, so a bad one is refused before anything is
 * written (the adapter throws ScanFormatError naming the format, path and problem), then
 * records it compressed. Processing happens later from the recorded copy, so an accepted scan
 * survives a restart.
 */
export async function acceptScan(db: Kysely<Database>, s: ScanSubmission, tx?: Transaction<Database>): Promise<AcceptedScan> {
  const inputs = await loadScanInputs(db, s.orgId, s.envId, s.format);
  const out = runAdapter(s.format, s.body, { ignore: inputs.ignore, ...(inputs.declared !== undefined ? { declared: inputs.declared } : {}) });
  const scanId = s.id ?? uuidv7();
  const created = await insertScan(tx ?? db, {
    id: scanId,
    orgId: s.orgId,
    envId: s.envId,
    format: s.format,
    full: s.full,
    ...(s.scanner ? { scanner: s.scanner } : {}),
    source: s.source,
    payloadGzip: gzipSync(s.body, { level: 1 }),
    payloadSha256: createHash('sha256').update(s.body).digest(),
  });
  return { scanId, created, resourcesSeen: out.resourcesSeen, observations: out.observations.length };
}
