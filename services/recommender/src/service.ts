import { consume } from '@driftguard/bus';
import { SERVICE_ROLES } from '@driftguard/db';
import { createServiceShell, type Service, type ServiceDeps, type Worker } from '@driftguard/runtime';
import type { RecommenderConfig } from './config.js';
import { cmdRecommendationRespondV1, driftAnalyzedV1, driftResolvedV1 } from './handlers/index.js';
import { createExpiryScheduler } from './expiry/expiry.scheduler.js';
import { createPolicyCache } from './policy/policy-cache.js';

/** What a caller may share with the service (`dg up`, tests); anything omitted is created and owned. */
export type RecommenderDeps = ServiceDeps;

/**
 * The recommender service: policy engine and remediation plans. The shell connects PostgreSQL and NATS,
 * relays the outbox, serves /healthz, /readyz and /metrics, and stops in order. Message handlers
 * (`handlers/index.ts`) run from `startWorkers`, each subject on its own durable consumer.
 */
export async function createRecommenderService(cfg: RecommenderConfig, deps: RecommenderDeps = {}): Promise<Service> {
  return createServiceShell({
    name: 'recommender',
    // Connects as its own PostgreSQL role: grants follow the ownership map.
    dbRole: SERVICE_ROLES.recommender,
    cfg,
    deps,
    relay: true,
    startWorkers: async (ctx): Promise<Worker[]> => {
      const common = { db: ctx.db, bus: ctx.bus, service: 'recommender', log: ctx.log };
      const workers: Worker[] = [
        await consume({
          ...common,
          key: 'drift.analyzed.v1',
          concurrency: cfg.DG_RECOMMENDER_CONCURRENCY,
          batch: cfg.DG_RECOMMENDER_BATCH,
          handleBatch: driftAnalyzedV1({
            subjectRoot: ctx.bus.config.subjectRoot,
            policies: createPolicyCache(cfg.DG_RECOMMENDER_POLICY_CACHE_MS),
          }),
        }),
        await consume({ ...common, key: 'drift.resolved.v1', handler: driftResolvedV1() }),
        await consume({ ...common, key: 'cmd.recommendation.respond.v1', handler: cmdRecommendationRespondV1() }),
      ];
      if (cfg.DG_RECOMMENDER_EXPIRY_INTERVAL_MS > 0) {
        const expiry = createExpiryScheduler({ db: ctx.db, log: ctx.log, intervalMs: cfg.DG_RECOMMENDER_EXPIRY_INTERVAL_MS });
        expiry.start();
        workers.push(expiry);
      }
      return workers;
    },
  });
}
