import { SERVICE_ROLES } from '@driftguard/db';
import { createServiceShell, type Service, type ServiceDeps } from '@driftguard/runtime';
import type { RecommenderConfig } from './config.js';

/** What a caller may share with the service (`dg up`, tests); anything omitted is created and owned. */
export type RecommenderDeps = ServiceDeps;

/**
 * The recommender service: policy engine and remediation plans. The shell connects PostgreSQL and NATS,
 * relays the outbox, serves /healthz, /readyz and /metrics, and stops in order. Message handlers
 * (`handlers/index.ts`) are started from `startWorkers` as they are written.
 */
export async function createRecommenderService(cfg: RecommenderConfig, deps: RecommenderDeps = {}): Promise<Service> {
  return createServiceShell({
    name: 'recommender',
    // Connects as its own PostgreSQL role: grants follow the ownership map.
    dbRole: SERVICE_ROLES.recommender,
    cfg,
    deps,
    relay: true,
    startWorkers: () => [],
  });
}
