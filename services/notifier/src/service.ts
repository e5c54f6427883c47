import { SERVICE_ROLES } from '@driftguard/db';
import { createServiceShell, type Service, type ServiceDeps } from '@driftguard/runtime';
import type { NotifierConfig } from './config.js';

/** What a caller may share with the service (`dg up`, tests); anything omitted is created and owned. */
export type NotifierDeps = ServiceDeps;

/**
 * The notifier service: routing, grouping and delivery of notifications. The shell connects PostgreSQL and NATS,
 * serves /healthz, /readyz and /metrics, and stops in order. Message handlers
 * (`handlers/index.ts`) are started from `startWorkers` as they are written.
 */
export async function createNotifierService(cfg: NotifierConfig, deps: NotifierDeps = {}): Promise<Service> {
  return createServiceShell({
    name: 'notifier',
    // Connects as its own PostgreSQL role: grants follow the ownership map.
    dbRole: SERVICE_ROLES.notifier,
    cfg,
    deps,
    relay: false, // publishes nothing, so no outbox to relay
    startWorkers: () => [],
  });
}
