import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { runAsOrg, type Database } from '@driftguard/db';
import { ScanFormatError } from '../model/observation.js';
import { toFindings, type DriftItem } from '../lifecycle/drift-items.js';
import { applyDriftBatch, resolveAfterScan } from '../lifecycle/drift-lifecycle.js';
import type { BatchCounts, ScanRef } from '../lifecycle/scan-context.js';
import {
  addCounts,
  claimNextScan,
  completeScan,
  deferScan,
  endScan,
  lockEnvironment,
  releaseLease,
  renewLease,
  type ClaimedScan,
} from './scans.queries.js';
import { loadScanInputs, type ScanInputs } from './scan-inputs.js';
import type { ScanMetrics } from './scan.metrics.js';
import { guardRejected, guardText, SecretMaskDepthError, type ValueHasher } from '../sensitivity/index.js';
import { decodePreparedScan, isPreparedPayload, type PreparedScan } from './scan-prepare.js';
import type { ScanParsePool } from './scan-parse.pool.js';
import { describeItem, failureReason, findFailingItem, isTransientError, ScanProcessingError } from './scan-failure.js';

export interface ScanProcessorOptions {
  db: Kysely<Database>;
  log: Logger;
  instanceId: string;
  /** First token of published subjects (the bus's `subjectRoot`). */
  subjectRoot: string;
  /** What a drift.detected body must stay under (the bus's `eventBudgetBytes`, read per scan). */
  eventBudgetBytes?: () => number;
  /** A processor that stops renewing for this long is presumed dead; its scan is taken over. */
  leaseMs: number;
  /** Drifts written per transaction. */
  batchSize: number;
  /** Keys the stored hashes of masked values (see sensitivity/value-hash.ts). */
  hasher: ValueHasher;
  metrics?: ScanMetrics;
  pollIntervalMs: number;
  /**
   * Scans worked on at once (default 1). The queue hands out one scan per environment at a time,
   * in submission order, so concurrent workers only ever take scans of different environments.
   */
  concurrency?: number;
  /** A scan that has been started this many times without finishing is marked failed. */
  maxAttempts: number;
  /** Reads scans recorded as raw bodies (by versions before intake stored the adapter output). */
  pool: ScanParsePool;
}

const gunzipAsync = promisify(gunzip);

/** Back-off before retrying after a transient failure: 1 s, 2 s, 4 s … up to 30 s. */
function retryDelayMs(attempts: number): number {
  return Math.min(30_000, 1_000 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Works through recorded scans: reads each with its format's adapter, writes its drifts batch by
 * batch, resolves what it shows in sync (and, when full, what it no longer shows), and records
 * the outcome. Every step is idempotent per scan, so a processor killed at any point is replaced
 * by another that finishes the scan with nothing missed or doubled.
 */
export function createScanProcessor(opts: ScanProcessorOptions) {
  const log = opts.log.child({ subsystem: 'ingest:scans' });
  let running = false;
  /** the idle workers' wake-ups */
  const sleepers = new Set<() => void>();
  let loops: Promise<void> | undefined;
  const wakeAll = () => {
    for (const wake of sleepers) wake();
  };

  async function run(): Promise<void> {
    while (running) {
      let claimed: ClaimedScan | undefined;
      try {
        claimed = await claimNextScan(opts.db, opts.instanceId, opts.leaseMs);
        const scan = claimed;
        // One scan, one organization: row-level security confines its every query there.
        if (scan) await runAsOrg(scan.orgId, () => processClaimed(scan));
      } catch (err) {
        const failed = claimed;
        // The failure is recorded in the scan's organization, whose scope the scan's own work had.
        if (failed)
          await runAsOrg(failed.orgId, () => settleFailure(failed, err)).catch((e: unknown) =>
            log.error({ err: e, scanId: failed.id }, 'could not record a scan failure'),
          );
        else log.error({ err }, 'could not claim a scan; retrying at the next poll');
      }
      if (!claimed && running)
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(t);
            sleepers.delete(wake);
            resolve();
          };
          const t = setTimeout(wake, opts.pollIntervalMs);
          sleepers.add(wake);
        });
    }
  }

  /** Transient: back off and retry (up to maxAttempts). Anything else: the scan fails now, with its reason. */
  async function settleFailure(scan: ClaimedScan, err: unknown): Promise<void> {
    const reason = failureReason(err);
    if (isTransientError(err) && scan.attempts < opts.maxAttempts) {
      log.warn({ err, scanId: scan.id, attempts: scan.attempts }, 'scan processing hit a transient failure; retrying');
      await deferScan(opts.db, scan.id, opts.instanceId, retryDelayMs(scan.attempts), { ...reason, attempts: scan.attempts });
      return;
    }
    await endScan(opts.db, scan.id, 'failed', { ...reason, attempts: scan.attempts });
    opts.metrics?.scans.inc({ format: scan.format, outcome: 'failed' });
    log.error({ err, scanId: scan.id, item: reason['item'] }, 'scan failed');
  }

  async function processClaimed(scan: ClaimedScan): Promise<void> {
    if (scan.attempts > opts.maxAttempts) {
      const last = scan.lastError !== null && typeof scan.lastError === 'object' ? scan.lastError : {};
      await endScan(opts.db, scan.id, 'failed', {
        code: 'processing_failed',
        message: `gave up after ${scan.attempts - 1} attempts`,
        lastError: last,
      });
      opts.metrics?.scans.inc({ format: scan.format, outcome: 'failed' });
      log.error({ scanId: scan.id }, 'scan failed too many times');
      return;
    }
    await processScan(opts, scan, () => running);
  }

  return {
    start(): void {
      if (running) return;
      running = true;
      const workers = Math.max(1, opts.concurrency ?? 1);
      loops = Promise.all(Array.from({ length: workers }, () => run())).then(() => undefined);
    },
    /** Wakes the idle workers now rather than at their next poll (a scan was just accepted). */
    notify(): void {
      wakeAll();
    },
    /** Stops claiming; the scan in hand finishes its current batch and is handed back, to be resumed. */
    async stop(): Promise<void> {
      running = false;
      wakeAll();
      await loops;
    },
  };
}

export async function processScan(
  opts: ScanProcessorOptions,
  scan: ClaimedScan,
  keepGoing: () => boolean = () => true,
): Promise<void> {
  const log = opts.log.child({ subsystem: 'ingest:scans', scanId: scan.id });
  const endTimer = opts.metrics?.processing.startTimer({ format: scan.format });
  const countDrifts = (c: BatchCounts) => {
    for (const action of ['opened', 'updated', 'resolved'] as const)
      if (c[action] > 0) opts.metrics?.drifts.inc({ action }, c[action]);
  };
  const ref: ScanRef = {
    scanId: scan.id,
    orgId: scan.orgId,
    envId: scan.envId,
    format: scan.format,
    subjectRoot: opts.subjectRoot,
    ...(scan.scanner ? { scanner: scan.scanner } : {}),
  };
  if (opts.eventBudgetBytes) ref.eventBudgetBytes = opts.eventBudgetBytes();
  const inputs = await loadScanInputs(opts.db, scan.orgId, scan.envId, scan.format);
  const prepared = await readPrepared(opts, scan, inputs);
  if (!prepared) {
    log.warn('scan rejected');
    return;
  }
  const { output } = prepared;
  let findings;
  try {
    findings = toFindings(scan.envId, scan.format, output.observations, opts.hasher);
  } catch (caught) {
    // A body too deep to check for secrets is refused like one too deep to parse: nothing is stored.
    if (!(caught instanceof SecretMaskDepthError)) throw caught;
    const err = new ScanFormatError('too_deep', scan.format, caught.path, caught.message);
    await endScan(opts.db, scan.id, 'rejected', {
      code: err.code,
      format: err.format,
      path: guardText(err.path),
      message: guardText(err.message),
    });
    opts.metrics?.scans.inc({ format: scan.format, outcome: 'rejected' });
    log.warn({ code: err.code, path: guardText(err.path) }, 'scan rejected');
    return;
  }
  const batches: DriftItem[][] = [];
  for (let i = 0; i < findings.drifts.length; i += opts.batchSize) batches.push(findings.drifts.slice(i, i + opts.batchSize));
  const stopping = async () => {
    if (keepGoing()) return false;
    await releaseLease(opts.db, scan.id, opts.instanceId);
    log.info('stopping: scan handed back to be finished by the next processor');
    return true;
  };
  for (const batch of batches) {
    if (await stopping()) return;
    const owned = await opts.db
      .transaction()
      .execute(async (tx) => {
        if (!(await renewLease(tx, scan.id, opts.instanceId, opts.leaseMs))) return false;
        await lockEnvironment(tx, scan.envId);
        const counts = await applyDriftBatch(tx, ref, batch, inputs.iacIds);
        await addCounts(tx, scan.id, counts);
        return counts;
      })
      .catch(async (err: unknown) => {
        if (isTransientError(err)) throw err;
        const item = await findFailingItem(opts.db, ref, batch, inputs.iacIds);
        throw new ScanProcessingError(err instanceof Error ? err.message : String(err), item && describeItem(item), {
          cause: err,
        });
      });
    if (!owned) {
      log.warn('scan taken over by another processor; leaving it');
      return;
    }
    countDrifts(owned);
  }
  if (await stopping()) return;
  const resolved = await opts.db.transaction().execute(async (tx) => {
    if (!(await renewLease(tx, scan.id, opts.instanceId, opts.leaseMs))) return undefined;
    await lockEnvironment(tx, scan.envId);
    const resolved = await resolveAfterScan(tx, ref, [...findings.inSyncKeys], scan.full ? [...findings.scopes] : null);
    await addCounts(tx, scan.id, { opened: 0, updated: 0, resolved });
    await completeScan(tx, scan.id, {
      resourcesSeen: output.resourcesSeen,
      rejected: guardRejected(output.rejected),
      coverage: output.coverage,
      report: {
        notChecked: findings.notChecked,
        alerts: (output.alerts ?? []).map((a) => ({ resourceType: guardText(a.resourceType), message: guardText(a.message) })),
        suppressedByIgnoreRules: prepared.suppressed,
        scanner: output.scanner && { ...output.scanner, name: guardText(output.scanner.name) },
        ...(prepared.rejectedOmitted > 0 ? { rejectedNotShown: prepared.rejectedOmitted } : {}),
      },
    });
    return resolved;
  });
  if (resolved === undefined) {
    log.warn('scan taken over by another processor before it finished; leaving it');
    return;
  }
  countDrifts({ opened: 0, updated: 0, resolved });
  opts.metrics?.scans.inc({ format: scan.format, outcome: 'completed' });
  endTimer?.();
  log.info({ drifts: findings.drifts.length, resourcesSeen: output.resourcesSeen }, 'scan completed');
}

/**
 * The scan's adapter output: stored by intake, or (a scan recorded as its raw body by an older
 * version) read now in a parse worker. Undefined when that read refuses it (scan rejected).
 */
async function readPrepared(
  opts: ScanProcessorOptions,
  scan: ClaimedScan,
  inputs: ScanInputs,
): Promise<PreparedScan | undefined> {
  if (isPreparedPayload(scan.payload)) return decodePreparedScan(scan.payload);
  const body = await gunzipAsync(scan.payload);
  const result = await opts.pool.prepare({
    format: scan.format,
    body,
    rules: inputs.rules,
    ...(inputs.declared !== undefined ? { declared: inputs.declared } : {}),
  });
  if (!result.ok) {
    const { code, format, path, message } = result.error;
    await endScan(opts.db, scan.id, 'rejected', {
      code,
      format,
      path: guardText(path),
      message: guardText(message),
      ...(result.error.limit ?? {}),
    });
    opts.metrics?.scans.inc({ format: scan.format, outcome: 'rejected' });
    return undefined;
  }
  return decodePreparedScan(Buffer.from(result.payload.buffer, result.payload.byteOffset, result.payload.byteLength));
}
