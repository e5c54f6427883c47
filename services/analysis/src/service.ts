import { SERVICE_ROLES } from '@driftguard/db';
import { createServiceShell, type Service, type ServiceDeps } from '@driftguard/runtime';
import type { AnalysisConfig } from './config.js';

/** What a caller may share with the service (`dg up`, tests); anything omitted is created and owned. */
export type AnalysisDeps = ServiceDeps;

/**
 * The analysis service: context intake, correlation, risk and cause analysis. The shell connects PostgreSQL and NATS,
 * relays the outbox, serves /healthz, /readyz and /metrics, and stops in order. Message handlers
 * (`handlers/index.ts`) are started from `startWorkers` as they are written.
 */
export async function createAnalysisService(cfg: AnalysisConfig, deps: AnalysisDeps = {}): Promise<Service> {
  return createServiceShell({
    name: 'analysis',
    // Connects as its own PostgreSQL role: grants follow the ownership map.
    dbRole: SERVICE_ROLES.analysis,
    cfg,
    deps,
    relay: true,
    startWorkers: () => [],
  });
}
