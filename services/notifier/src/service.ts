import { consume, type Consumption } from '@driftguard/bus';
import { Keyring, SERVICE_ROLES } from '@driftguard/db';
import { createServiceShell, type Service, type ServiceDeps, type Worker } from '@driftguard/runtime';
import { channelAdapters, createChannelNetwork } from './channels/index.js';
import type { NotifierConfig } from './config.js';
import { adapterRegistry, registerAdapter, type RegisteredAdapter } from './delivery/channel-registry.js';
import { createNotifierLoop } from './delivery/notifier.loop.js';
import type { GroupingOptions } from './grouping/grouping.js';
import {
  cmdNotificationAcknowledgeV1,
  cmdNotificationRedeliverV1,
  cmdMaintenanceWindowCreateV1,
  cmdSilenceCreateV1,
  driftDetectedV1,
  driftResolvedV1,
  recommendationCreatedV1,
} from './handlers/index.js';
import { registerRedirectRoutes } from './http/redirect.routes.js';
import { createLinkSigner } from './http/tracked-link.js';

/** What a caller may share with the service (`dg up`, tests); anything omitted is created and owned. */
export interface NotifierDeps extends ServiceDeps {
  /** the channel adapters (default: Slack, PagerDuty, webhook and email) */
  adapters?: readonly RegisteredAdapter[];
}

/** Every channel type's adapter. */
export function defaultAdapters(): RegisteredAdapter[] {
  return [
    registerAdapter(channelAdapters.slack),
    registerAdapter(channelAdapters.pagerduty),
    registerAdapter(channelAdapters.webhook),
    registerAdapter(channelAdapters.email),
  ];
}

/**
 * The notifier service: routing, grouping and delivery of notifications. The shell connects
 * PostgreSQL and NATS, serves /healthz, /readyz, /metrics and the tracked links (`/r/<token>`),
 * and stops in order. One consumer per subject (`handlers/index.ts`) queues drifts into groups;
 * the loop flushes groups into notifications and delivers them through the channel adapters,
 * every request through the outbound guard.
 */
export async function createNotifierService(cfg: NotifierConfig, deps: NotifierDeps = {}): Promise<Service> {
  const signer = createLinkSigner(cfg.DG_MASTER_KEY);
  const keyring = cfg.DG_MASTER_KEY ? Keyring.parse(cfg.DG_MASTER_KEY) : undefined;
  const grouping: GroupingOptions = {
    groupWaitMs: cfg.DG_NOTIFIER_GROUP_WAIT_MS,
    groupIntervalMs: cfg.DG_NOTIFIER_GROUP_INTERVAL_MS,
    analysisWaitMs: cfg.DG_NOTIFIER_ANALYSIS_WAIT_MS,
    groupBy: cfg.DG_NOTIFIER_GROUP_BY,
  };
  return createServiceShell({
    name: 'notifier',
    // Connects as its own PostgreSQL role: grants follow the ownership map.
    dbRole: SERVICE_ROLES.notifier,
    cfg,
    deps,
    relay: false, // publishes nothing, so no outbox to relay
    registerRoutes: (app, ctx) => registerRedirectRoutes(app, ctx, signer),
    startWorkers: async (ctx): Promise<Worker[]> => {
      const common = { db: ctx.db, bus: ctx.bus, service: 'notifier', log: ctx.log };
      const grouped = { ...common, batch: cfg.DG_NOTIFIER_BATCH };
      const consumers: Consumption[] = [
        // Under load, an organization's drifts join their groups together: one transaction and a
        // few statements per batch.
        await consume({ ...grouped, key: 'recommendation.created.v1', handleBatch: recommendationCreatedV1(grouping) }),
        await consume({ ...grouped, key: 'drift.detected.v1', handleBatch: driftDetectedV1(grouping) }),
        await consume({ ...common, key: 'drift.resolved.v1', handler: driftResolvedV1(grouping) }),
        await consume({ ...common, key: 'cmd.notification.acknowledge.v1', handler: cmdNotificationAcknowledgeV1() }),
        await consume({ ...common, key: 'cmd.silence.create.v1', handler: cmdSilenceCreateV1() }),
        await consume({ ...common, key: 'cmd.maintenance_window.create.v1', handler: cmdMaintenanceWindowCreateV1() }),
        await consume({ ...common, key: 'cmd.notification.redeliver.v1', handler: cmdNotificationRedeliverV1() }),
      ];
      const network = createChannelNetwork({ allow: cfg.DG_OUTBOUND_ALLOW, timeoutMs: cfg.DG_NOTIFIER_REQUEST_TIMEOUT_MS });
      const loop = createNotifierLoop({
        db: ctx.db,
        bus: ctx.bus,
        log: ctx.log,
        instance: cfg.DG_INSTANCE_ID,
        adapters: adapterRegistry(deps.adapters ?? defaultAdapters()),
        fetch: network.fetch,
        outbound: network.guard,
        keyring,
        links: { signer, publicUrl: cfg.DG_NOTIFIER_PUBLIC_URL },
        retrySchedule: cfg.DG_NOTIFIER_RETRY_SCHEDULE_MS,
        requestTimeoutMs: cfg.DG_NOTIFIER_REQUEST_TIMEOUT_MS,
        unhealthyAfterMs: cfg.DG_NOTIFIER_UNHEALTHY_AFTER_MS,
        pollMs: cfg.DG_NOTIFIER_POLL_MS,
        leaseMs: cfg.DG_NOTIFIER_LEASE_MS,
        repeatIntervalMs: cfg.DG_NOTIFIER_REPEAT_INTERVAL_MS,
      });
      loop.start();
      // Deliveries in flight finish (and are recorded) before the pool closes; the network closes last.
      const stopLoop: Worker = {
        stop: async () => {
          await loop.stop();
          await network.close();
        },
      };
      return [...consumers, stopLoop];
    },
  });
}
