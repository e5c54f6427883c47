import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '@driftguard/db';
import type { ScanFormat, ScanSource } from '@driftguard/contracts';
import type { BatchCounts } from '../lifecycle/scan-context.js';

type Db = Kysely<Database>;
type Tx = Transaction<Database>;

export interface NewScan {
  id: string;
  orgId: number;
  envId: number;
  format: ScanFormat;
  full: boolean;
  scanner?: string;
  source: ScanSource;
  payloadGzip: Buffer;
  payloadSha256: Buffer;
}

/** Records an accepted scan; a scan id seen before (a redelivered NATS message) is kept as it is. */
export async function insertScan(db: Db | Tx, s: NewScan): Promise<boolean> {
  const r = await db
    .insertInto('scans')
    .values({
      id: s.id,
      organization_id: s.orgId,
      environment_id: s.envId,
      format: s.format,
      is_full: s.full,
      scanner: s.scanner ?? null,
      source: s.source,
      status: 'accepted',
      payload: s.payloadGzip,
      payload_sha256: s.payloadSha256,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export interface ClaimedScan {
  id: string;
  orgId: number;
  envId: number;
  format: ScanFormat;
  full: boolean;
  scanner: string | null;
  payload: Buffer;
  attempts: number;
  /** The reason the previous attempt stopped (a transient failure), if any. */
  lastError: unknown;
}

/**
 * Claims the oldest scan waiting, or one whose processor stopped renewing its lease (it died):
 * the claim is a lease, so a scan is never worked on by two live processors and never stranded.
 * Scans of one environment are processed one at a time, oldest first; other environments' scans
 * proceed in parallel on other processors. The next scan may be any organization's, so the claim
 * is the security-definer function dg_claim_next_scan (migration 0006).
 */
export async function claimNextScan(db: Db, instanceId: string, leaseMs: number): Promise<ClaimedScan | undefined> {
  const r = await sql<{
    id: string;
    organization_id: number;
    environment_id: number;
    format: ScanFormat;
    is_full: boolean;
    scanner: string | null;
    payload: Buffer;
    attempts: number;
    error: unknown;
  }>`select * from dg_claim_next_scan(${instanceId}, ${leaseMs / 1000}::double precision)`.execute(db);
  const row = r.rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    orgId: row.organization_id,
    envId: row.environment_id,
    format: row.format,
    full: row.is_full,
    scanner: row.scanner,
    payload: row.payload,
    attempts: row.attempts,
    lastError: row.error,
  };
}

/** Renews the lease; false when another processor has taken the scan over (stop working on it). */
export async function renewLease(db: Db | Tx, scanId: string, instanceId: string, leaseMs: number): Promise<boolean> {
  const r = await sql`
    update scans set claimed_until = now() + make_interval(secs => ${leaseMs / 1000})
    where id = ${scanId} and claimed_by = ${instanceId} and status = 'processing'`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

/** Hands a scan back at once (a graceful stop), so another processor need not wait out the lease. */
export async function releaseLease(db: Db, scanId: string, instanceId: string): Promise<void> {
  await sql`
    update scans set claimed_until = now() - interval '1 second'
    where id = ${scanId} and claimed_by = ${instanceId} and status = 'processing'`.execute(db);
}

/**
 * After a transient failure: keeps the scan (and so its environment's queue) for a short
 * back-off, records why, and lets any processor retry it then.
 */
export async function deferScan(
  db: Db,
  scanId: string,
  instanceId: string,
  delayMs: number,
  error: Record<string, unknown>,
): Promise<void> {
  await sql`
    update scans set claimed_until = now() + make_interval(secs => ${delayMs / 1000}), error = ${JSON.stringify(error)}::jsonb
    where id = ${scanId} and claimed_by = ${instanceId} and status = 'processing'`.execute(db);
}

/**
 * Serializes drift writes of one environment across transactions (scan batches, from any
 * instance), so two writers never both open the same drift; released at commit.
 */
export async function lockEnvironment(tx: Tx, envId: number): Promise<void> {
  await sql`select pg_advisory_xact_lock(${DRIFT_WRITES_LOCK}, ${envId})`.execute(tx);
}

/** First key of the two-key advisory locks on an environment's drift writes. */
const DRIFT_WRITES_LOCK = 0x4447_0101;

export async function addCounts(tx: Tx, scanId: string, c: BatchCounts): Promise<void> {
  await tx
    .updateTable('scans')
    .set({
      drifts_opened: sql`drifts_opened + ${c.opened}`,
      drifts_updated: sql`drifts_updated + ${c.updated}`,
      drifts_resolved: sql`drifts_resolved + ${c.resolved}`,
    })
    .where('id', '=', scanId)
    .execute();
}

export async function completeScan(
  tx: Tx,
  scanId: string,
  outcome: { resourcesSeen: number; rejected: unknown[]; coverage: unknown; report: unknown },
): Promise<void> {
  await tx
    .updateTable('scans')
    .set({
      status: 'completed',
      completed_at: sql`now()`,
      claimed_until: null,
      // The raw body may hold secrets; once read, only its sha256 is kept.
      payload: Buffer.alloc(0),
      resources_seen: outcome.resourcesSeen,
      rejected_items: JSON.stringify(outcome.rejected),
      coverage: outcome.coverage === undefined ? null : JSON.stringify(outcome.coverage),
      report: JSON.stringify(outcome.report),
    })
    .where('id', '=', scanId)
    .execute();
}

/** Ends a scan that cannot be read (rejected) or kept failing (failed), with the reason. */
export async function endScan(
  db: Db,
  scanId: string,
  status: 'rejected' | 'failed',
  error: Record<string, unknown>,
): Promise<void> {
  await db
    .updateTable('scans')
    .set({ status, completed_at: sql`now()`, claimed_until: null, payload: Buffer.alloc(0), error: JSON.stringify(error) })
    .where('id', '=', scanId)
    .execute();
}

export async function getScan(db: Db, scanId: string, orgId: number): Promise<Record<string, unknown> | undefined> {
  return db
    .selectFrom('scans')
    .select([
      'id',
      'environment_id',
      'format',
      'is_full',
      'scanner',
      'source',
      'status',
      'resources_seen',
      'drifts_opened',
      'drifts_updated',
      'drifts_resolved',
      'rejected_items',
      'coverage',
      'report',
      'error',
      'attempts',
      'submitted_at',
      'started_at',
      'completed_at',
    ])
    .where('id', '=', scanId)
    .where('organization_id', '=', orgId)
    .executeTakeFirst();
}
