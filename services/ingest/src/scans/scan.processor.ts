import { gunzipSync } from 'node:zlib';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { runAsOrg, type Database } from '@driftguard/db';
import { runAdapter } from '../adapters/index.js';
import { ScanFormatError } from '../model/observation.js';
import { toFindings, type DriftItem } from '../lifecycle/drift-items.js';
import { applyDriftBatch, resolveAfterScan } from '../lifecycle/drift-lifecycle.js';
import type { BatchCounts, ScanRef } from '../lifecycle/scan-context.js';
import { addCounts, claimNextScan, completeScan, endScan, lockEnvironment, releaseLease, renewLease, type ClaimedScan } from './scans.queries.js';
import { loadScanInputs } from './scan-inputs.js';
import type { ScanMetrics } from './scan.metrics.js';
import { guardRejected, guardText, SecretMaskDepthError, type ValueHasher } from '../sensitivity/index.js';

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
  /** A scan that has been started this many times without finishing is marked failed. */
  maxAttempts: number;
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
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;

  async function run(): Promise<void> {
    while (running) {
      let claimed: ClaimedScan | undefined;
      try {
        claimed = await claimNextScan(opts.db, opts.instanceId, opts.leaseMs);
        const scan = claimed;
        // One scan, one organization: row-level security confines its every query there.
        if (scan) await runAsOrg(scan.orgId, () => processClaimed(scan));
      } catch (err) {
        log.error({ err, scanId: claimed?.id }, 'scan processing failed; it will be retried');
      }
      if (!claimed && running) await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, opts.pollIntervalMs);
        wake = () => { clearTimeout(t); resolve(); };
      });
      wake = undefined;
    }
  }

  async function processClaimed(scan: ClaimedScan): Promise<void> {
    if (scan.attempts > opts.maxAttempts) {
      await endScan(opts.db, scan.id, 'failed', { message: `gave up after ${scan.attempts - 1} attempts` });
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
      loop = run();
    },
    /** Wakes the processor now rather than at its next poll (a scan was just accepted). */
    notify(): void {
      wake?.();
    },
    /** Stops claiming; the scan in hand finishes its current batch and is handed back, to be resumed. */
    async stop(): Promise<void> {
      running = false;
      wake?.();
      await loop;
    },
  };
}

export async function processScan(opts: ScanProcessorOptions, scan: ClaimedScan, keepGoing: () => boolean = () => true): Promise<void> {
  const log = opts.log.child({ subsystem: 'ingest:scans', scanId: scan.id });
  const endTimer = opts.metrics?.processing.startTimer({ format: scan.format });
  const countDrifts = (c: BatchCounts) => {
    for (const action of ['opened', 'updated', 'resolved'] as const) if (c[action] > 0) opts.metrics?.drifts.inc({ action }, c[action]);
  };
  const ref: ScanRef = { scanId: scan.id, orgId: scan.orgId, envId: scan.envId, format: scan.format, subjectRoot: opts.subjectRoot, ...(scan.scanner ? { scanner: scan.scanner } : {}) };
  if (opts.eventBudgetBytes) ref.eventBudgetBytes = opts.eventBudgetBytes();
  const inputs = await loadScanInputs(opts.db, scan.orgId, scan.envId, scan.format);
  let output;
  let findings;
  try {
    output = runAdapter(scan.format, gunzipSync(scan.payload), { ignore: inputs.ignore, ...(inputs.declared !== undefined ? { declared: inputs.declared } : {}) });
    findings = toFindings(scan.envId, scan.format, output.observations, opts.hasher);
  } catch (caught) {
    // A body too deep to check for secrets is refused like one too deep to parse: nothing is stored.
    const err = caught instanceof SecretMaskDepthError ? new ScanFormatError('too_deep', scan.format, caught.path, caught.message) : caught;
    if (!(err instanceof ScanFormatError)) throw err;
    await endScan(opts.db, scan.id, 'rejected', { code: err.code, format: err.format, path: guardText(err.path), message: guardText(err.message) });
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
    const owned = await opts.db.transaction().execute(async (tx) => {
      if (!(await renewLease(tx, scan.id, opts.instanceId, opts.leaseMs))) return false;
      await lockEnvironment(tx, scan.envId);
      const counts = await applyDriftBatch(tx, ref, batch, inputs.iacIds);
      await addCounts(tx, scan.id, counts);
      return counts;
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
        suppressedByIgnoreRules: Object.fromEntries(inputs.ignore.suppressedCounts()),
        scanner: output.scanner && { ...output.scanner, name: guardText(output.scanner.name) },
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
