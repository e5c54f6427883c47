import { consume } from '@driftguard/bus';
import { createServiceShell, type Service, type ServiceDeps, type Worker } from '@driftguard/runtime';
import type { IngestConfig } from './config.js';
import { mapIngestError } from './http/ingest-problems.js';
import { scanRoutes } from './http/scans.routes.js';
import { scanSubmittedV1 } from './handlers/scan.submitted.v1.js';
import { cmdDriftResolveV1 } from './handlers/cmd.drift.resolve.v1.js';
import { createScanProcessor } from './scans/scan.processor.js';
import { createScanMetrics } from './scans/scan.metrics.js';
import { declaredRoutes } from './declared/declared.routes.js';
import { contextRoutes } from './context/context.routes.js';
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

  return createServiceShell({
    name: 'ingest',
    cfg,
    deps,
    mapError: mapIngestError,
    registerRoutes: async (app, ctx) => {
      await app.register(scanRoutes, { db: ctx.db, onAccepted: wake });
      await app.register(declaredRoutes, { db: ctx.db, log: ctx.log });
      await app.register(contextRoutes, { db: ctx.db, keyring, subjectRoot: ctx.bus.config.subjectRoot });
    },
    startWorkers: async (ctx): Promise<Worker[]> => {
      const log = ctx.log;
      processor = createScanProcessor({
        db: ctx.db,
        log,
        instanceId: cfg.DG_INSTANCE_ID,
        subjectRoot: ctx.bus.config.subjectRoot,
        eventBudgetBytes: () => ctx.bus.eventBudgetBytes(),
        leaseMs: cfg.DG_SCAN_LEASE_MS,
        batchSize: cfg.DG_SCAN_BATCH_SIZE,
        pollIntervalMs: cfg.DG_SCAN_POLL_MS,
        maxAttempts: cfg.DG_SCAN_MAX_ATTEMPTS,
        ...(keyring ? { hashKey: deriveKey(keyring, 'sensitive-value-hash') } : {}),
        metrics: createScanMetrics(ctx.metrics.registry, ctx.db),
      });
      processor.start();
      const common = { db: ctx.db, bus: ctx.bus, service: 'ingest', log };
      const scans = await consume({ ...common, key: 'scan.submitted.v1', handler: scanSubmittedV1({ db: ctx.db, onAccepted: wake }), ackWaitMs: 120_000 });
      const resolve = await consume({ ...common, key: 'cmd.drift.resolve.v1', handler: cmdDriftResolveV1({ subjectRoot: ctx.bus.config.subjectRoot }) });
      const sync = await consume({ ...common, key: 'cmd.repo.sync.v1', handler: repoSyncHandler({ db: ctx.db, log, ...git }), ackWaitMs: 300_000 });
      const scheduler = createRepoSyncScheduler({ db: ctx.db, log, ...git, intervalMs: cfg.DG_REPO_SYNC_INTERVAL_MS });
      scheduler.start();
      return [scans, resolve, sync, scheduler, processor];
    },
  });
}
