/**
 * What to do when processing a scan throws: transient failures (the database went away, a
 * serialization failure or deadlock, a lock or connection limit) are retried after a short
 * back-off; anything else would fail the same way again, so the scan fails at once with the
 * reason and, when one item caused it, that item.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '@driftguard/db';
import type { DriftItem } from '../lifecycle/drift-items.js';
import { applyDriftBatch } from '../lifecycle/drift-lifecycle.js';
import type { ScanRef } from '../lifecycle/scan-context.js';
import { lockEnvironment } from './scans.queries.js';

/** SQLSTATEs worth retrying: 40001 serialization, 40P01 deadlock, 08xxx connection, 57P0x shutdown, 53300 too many connections, 55P03 lock timeout. */
const TRANSIENT_SQLSTATES = new Set([
  '40001',
  '40P01',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '55P03',
]);
const TRANSIENT_ERRNO = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

export function isTransientError(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_ERRNO.has(code))) return true;
    if (
      /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(e.message)
    )
      return true;
  }
  return false;
}

/** The resource a failure is blamed on, as shown in `GET /v1/scans/:id`. */
export interface FailedItem {
  resourceType: string;
  address?: string;
  physicalId?: string;
  driftType: string;
}

/** A processing failure with the item that caused it (when known). */
export class ScanProcessingError extends Error {
  override readonly name = 'ScanProcessingError';
  constructor(
    message: string,
    readonly item: FailedItem | undefined,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/** The stored reason of a failed scan. */
export function failureReason(err: unknown): Record<string, unknown> {
  const e = err instanceof Error ? err : new Error(String(err));
  const root = e instanceof ScanProcessingError && e.cause instanceof Error ? e.cause : e;
  const sqlstate = (root as { code?: unknown }).code;
  return {
    code: 'processing_failed',
    message: root.message,
    ...(typeof sqlstate === 'string' ? { sqlstate } : {}),
    ...(e instanceof ScanProcessingError && e.item ? { item: e.item } : {}),
  };
}

class Probed extends Error {}

/**
 * Replays a failed batch item by item inside one transaction, each under a savepoint, to name
 * the first item that fails; everything is rolled back, so nothing is written twice.
 */
export async function findFailingItem(
  db: Kysely<Database>,
  ref: ScanRef,
  batch: DriftItem[],
  iacIds: ReadonlyMap<string, number>,
): Promise<DriftItem | undefined> {
  let failing: DriftItem | undefined;
  try {
    await db.transaction().execute(async (tx) => {
      await lockEnvironment(tx, ref.envId);
      for (const item of batch) {
        await sql`savepoint probe_item`.execute(tx);
        try {
          await applyDriftBatch(tx, ref, [item], iacIds);
        } catch {
          failing = item;
          break;
        }
        await sql`release savepoint probe_item`.execute(tx);
      }
      throw new Probed();
    });
  } catch (err) {
    if (!(err instanceof Probed)) return failing;
  }
  return failing;
}

export function describeItem(item: DriftItem): FailedItem {
  return {
    resourceType: item.resource.type,
    driftType: item.driftType,
    ...(item.resource.address ? { address: item.resource.address } : {}),
    ...(item.resource.physicalId ? { physicalId: item.resource.physicalId } : {}),
  };
}
