import { consume } from '@driftguard/bus';
import { createServiceShell, createTokenVerifier, type Service, type ServiceDeps, type Worker } from '@driftguard/runtime';
import type { IngestConfig } from './config.js';
import { scanRoutes } from './http/scans.routes.js';
import { scanSubmittedV1 } from './handlers/scan.submitted.v1.js';
import { cmdDriftResolveV1 } from './handlers/cmd.drift.resolve.v1.js';
import { createScanProcessor } from './scans/scan.processor.js';
import { createScanMetrics } from './scans/scan.metrics.js';
import { createScanParsePool } from './scans/scan-parse.pool.js';
import { declaredRoutes } from './declared/declared.routes.js';
import { createRepoSyncScheduler, repoSyncHandler } from './declared/git-sync.js';
import { deriveKey, parseKeyring } from '@driftguard/db';

/**
 * The ingest service: scans in (HTTP, NATS), declared state in (uploads, git), drift events out.
 * Scans are recorded first and processed from the record, so none is lost across restarts.
 */
export async function createIngestService(cfg: IngestConfig, deps: ServiceDeps = {}): Promise<Service> {
  let processor: ReturnType<typeof createScanProcessor> | undefined;
  const wake = () => processor?.notify();
  const keyring = cfg.DG_MASTER_KEY ? parseKeyring(cfg.DG_MASTER_KEY) : undefined;
  const git = { keyring, allowLocalRepositories: cfg.DG_REPO_ALLOW_LOCAL };
  // Scan bodies are parsed in worker threads (started on first use), never on the event loop.
  const pool = createScanParsePool({ size: cfg.DG_SCAN_PARSE_WORKERS });

  return createServiceShell({
    name: 'ingest',
    cfg,
    deps,
    registerRoutes: async (app, ctx) => {
      const verifier = createTokenVerifier(ctx.db);
      await app.register(scanRoutes, { db: ctx.db, pool, verify: (h) => verifier.verify(h), onAccepted: wake });
      await app.register(declaredRoutes, { db: ctx.db, log: ctx.log, verify: (h: string | undefined) => verifier.verify(h) });
    },
    startWorkers: async (ctx): Promise<Worker[]> => {
      const log = ctx.log;
      processor = createScanProcessor({
        db: ctx.db,
        log,
        instanceId: cfg.DG_INSTANCE_ID,
        subjectRoot: ctx.bus.config.subjectRoot,
        leaseMs: cfg.DG_SCAN_LEASE_MS,
        batchSize: cfg.DG_SCAN_BATCH_SIZE,
        pollIntervalMs: cfg.DG_SCAN_POLL_MS,
        maxAttempts: cfg.DG_SCAN_MAX_ATTEMPTS,
        pool,
        ...(keyring ? { hashKey: deriveKey(keyring, 'sensitive-value-hash') } : {}),
        metrics: createScanMetrics(ctx.metrics.registry, ctx.db),
      });
      processor.start();
      const common = { db: ctx.db, bus: ctx.bus, service: 'ingest', log };
      const scans = await consume({ ...common, key: 'scan.submitted.v1', handler: scanSubmittedV1({ db: ctx.db, pool, onAccepted: wake }), ackWaitMs: 120_000 });
      const resolve = await consume({ ...common, key: 'cmd.drift.resolve.v1', handler: cmdDriftResolveV1({ subjectRoot: ctx.bus.config.subjectRoot }) });
      const sync = await consume({ ...common, key: 'cmd.repo.sync.v1', handler: repoSyncHandler({ db: ctx.db, log, ...git }), ackWaitMs: 300_000 });
      const scheduler = createRepoSyncScheduler({ db: ctx.db, log, ...git, intervalMs: cfg.DG_REPO_SYNC_INTERVAL_MS });
      scheduler.start();
      // Last to stop: intake and the processor may still be waiting on a parse.
      return [scans, resolve, sync, scheduler, processor, { stop: () => pool.close() }];
    },
  });
}
