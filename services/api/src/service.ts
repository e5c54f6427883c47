import { SERVICE_ROLES } from '@driftguard/db';
import { createServiceShell, type Service, type ServiceDeps } from '@driftguard/runtime';
import type { ApiConfig } from './config.js';
import { registerWhoAmIRoutes } from './http/whoami.routes.js';
import { startLifecycleJobs } from './jobs/start-lifecycle-jobs.js';

/** What a caller may share with the service (`dg up`, tests); anything omitted is created and owned. */
export type ApiDeps = ServiceDeps;

/**
 * The api service: control plane and query API. It owns organizations, environments and API
 * tokens (see `bootstrap/`), verifies every request's bearer token and publishes `cmd.*`
 * through its outbox.
 */
export async function createApiService(cfg: ApiConfig, deps: ApiDeps = {}): Promise<Service> {
  return createServiceShell({
    name: 'api',
    // Connects as its own PostgreSQL role: grants follow the ownership map.
    dbRole: SERVICE_ROLES.api,
    cfg,
    deps,
    relay: true,
    registerRoutes: (app) => registerWhoAmIRoutes(app),
    startWorkers: (ctx) => startLifecycleJobs(ctx),
  });
}
