import { consume } from '@driftguard/bus';
import { createOutboundGuard, createServiceShell, type Service, type ServiceDeps, type Worker } from '@driftguard/runtime';
import type { IngestConfig } from './config.js';
import { mapIngestError } from './http/ingest-problems.js';
import { scanRoutes } from './http/scans.routes.js';
import { cmdDriftResolveV1, cmdRepoSyncV1, scanSubmittedV1 } from './handlers/index.js';
import { createScanProcessor } from './scans/scan.processor.js';
import { createScanMetrics } from './scans/scan.metrics.js';
import { createScanParsePool } from './scans/scan-parse.pool.js';
import { declaredRoutes } from './declared/declared.routes.js';
import { contextRoutes } from './context/context.routes.js';
import { slackInteractionRoutes } from './interactions/slack-interactions.routes.js';
import { createRepoSyncScheduler } from './declared/repo-sync.scheduler.js';
import { deriveKey, parseKeyring, SERVICE_ROLES } from '@driftguard/db';
import { createValueHasher } from './sensitivity/index.js';
import { redactScanSubmission } from './handlers/scan.submitted.dead-letter.js';

/**
 * The ingest service: scans in (HTTP, NATS), declared state in (uploads, git), drift events out.
 * Scans are recorded first and processed from the record, so none is lost across restarts.
 */
export async function createIngestService(cfg: IngestConfig, deps: ServiceDeps = {}): Promise<Service> {
  let processor: ReturnType<typeof createScanProcessor> | undefined;
  const wake = () => processor?.notify();
  // Hashes of masked secrets are always keyed; config refuses to start without DG_MASTER_KEY
  // except under `dg up` with its embedded database, which creates and passes a local key.
  if (!cfg.DG_MASTER_KEY) throw new Error('DG_MASTER_KEY is required: ingest keys the hashes of masked secrets with it');
  const keyring = parseKeyring(cfg.DG_MASTER_KEY);
  const git = {
    keyring,
    allowLocalRepositories: cfg.DG_REPO_ALLOW_LOCAL,
    outbound: createOutboundGuard({ allow: cfg.DG_OUTBOUND_ALLOW }),
  };
  // Scan bodies are parsed in worker threads (started on first use), never on the event loop.
  const pool = createScanParsePool({ size: cfg.DG_SCAN_PARSE_WORKERS });

  return createServiceShell({
    name: 'ingest',
    cfg,
    deps,
    mapError: mapIngestError,
    dbRole: SERVICE_ROLES.ingest,
    registerRoutes: async (app, ctx) => {
      await app.register(scanRoutes, { db: ctx.db, pool, onAccepted: wake });
      await app.register(declaredRoutes, { db: ctx.db, log: ctx.log });
      await app.register(contextRoutes, { db: ctx.db, keyring, subjectRoot: ctx.bus.config.subjectRoot });
      await app.register(slackInteractionRoutes, { db: ctx.db, keyring, subjectRoot: ctx.bus.config.subjectRoot });
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
        concurrency: cfg.DG_SCAN_CONCURRENCY,
        maxAttempts: cfg.DG_SCAN_MAX_ATTEMPTS,
        pool,
        hasher: createValueHasher(deriveKey(keyring, 'sensitive-value-hash')),
        metrics: createScanMetrics(ctx.metrics.registry, ctx.db),
      });
      processor.start();
      const common = { db: ctx.db, bus: ctx.bus, service: 'ingest', log };
      const scans = await consume({
        ...common,
        key: 'scan.submitted.v1',
        handler: scanSubmittedV1({ db: ctx.db, pool, onAccepted: wake }),
        redactDeadLetter: redactScanSubmission,
        ackWaitMs: 120_000,
      });
      const resolve = await consume({
        ...common,
        key: 'cmd.drift.resolve.v1',
        handler: cmdDriftResolveV1({ subjectRoot: ctx.bus.config.subjectRoot }),
      });
      const scheduler = createRepoSyncScheduler({ db: ctx.db, log, ...git, intervalMs: cfg.DG_REPO_SYNC_INTERVAL_MS });
      const sync = await consume({
        ...common,
        key: 'cmd.repo.sync.v1',
        handler: cmdRepoSyncV1({ requestSync: (id, orgId) => scheduler.requestSync(id, orgId) }),
      });
      scheduler.start();
      // Last to stop: intake and the processor may still be waiting on a parse.
      return [scans, resolve, sync, scheduler, processor, { stop: () => pool.close() }];
    },
  });
}
