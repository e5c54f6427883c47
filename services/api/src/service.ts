import { parseKeyring, SERVICE_ROLES } from '@driftguard/db';
import { createServiceShell, sessionAuthPlugin, type Service, type ServiceDeps } from '@driftguard/runtime';
import { auditRefusalsPlugin } from './audit/audit-refusals.js';
import type { ApiConfig } from './config.js';
import type { ChannelAdapters, ControlPlaneDeps } from './config/control-plane.js';
import { registerActionRoutes } from './http/actions.routes.js';
import { registerAnalyticsRoutes } from './http/analytics.routes.js';
import { registerApiSurface } from './http/api-surface.js';
import { registerEnvironmentRoutes } from './http/config-environments.routes.js';
import { registerNotifyRoutes } from './http/config-notify.routes.js';
import { registerRuleRoutes } from './http/config-rules.routes.js';
import { registerConfigChangeRoutes } from './http/config-changes.routes.js';
import { registerDriftRoutes } from './http/drifts.routes.js';
import { registerExportRoutes } from './http/export.routes.js';
import { registerAuditRoutes } from './http/audit.routes.js';
import { registerAuthRoutes } from './http/auth.routes.js';
import { registerSessionRoutes } from './http/sessions.routes.js';
import { registerTokenRoutes } from './http/tokens.routes.js';
import { registerUserRoutes } from './http/users.routes.js';
import { registerWhoAmIRoutes } from './http/whoami.routes.js';
import { createIdentityDeps } from './identity/identity-deps.js';
import { startLifecycleJobs } from './jobs/start-lifecycle-jobs.js';

/** What a caller may share with the service (`dg up`, tests); anything omitted is created and owned. */
export type ApiDeps = ServiceDeps & {
  /** The notifier's channel adapters (`dg up` passes them): channel writes and tests need them. */
  channels?: ChannelAdapters;
};

/**
 * The api service: control plane and query API. It owns organizations, environments, users,
 * console sessions and API tokens (see `bootstrap/` and `identity/`), verifies every request's
 * bearer token or session cookie, audits every change (`audit/audited.ts`) and publishes `cmd.*`
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
    registerRoutes: async (app, ctx) => {
      const identity = createIdentityDeps(cfg, ctx.db);
      // Lets requireToken accept the console's session cookie on the api's routes.
      await app.register(sessionAuthPlugin, identity.sessionAuth);
      await app.register(auditRefusalsPlugin, { db: ctx.db });
      await registerApiSurface(app, {
        ratePerWindow: cfg.DG_API_RATE_LIMIT,
        rateWindowMs: cfg.DG_API_RATE_WINDOW_MS,
        bodyLimit: cfg.DG_API_BODY_LIMIT_BYTES,
      });
      const plane: ControlPlaneDeps = {
        db: ctx.db,
        subjectRoot: ctx.bus.config.subjectRoot,
        keyring: cfg.DG_MASTER_KEY ? parseKeyring(cfg.DG_MASTER_KEY) : undefined,
        channels: deps.channels,
      };
      registerEnvironmentRoutes(app, { ...plane, outboundAllow: cfg.DG_OUTBOUND_ALLOW });
      registerNotifyRoutes(app, plane);
      registerRuleRoutes(app, plane);
      registerConfigChangeRoutes(app, { ...plane, outboundAllow: cfg.DG_OUTBOUND_ALLOW });
      registerDriftRoutes(app, plane);
      registerActionRoutes(app, plane);
      registerAnalyticsRoutes(app, plane);
      registerExportRoutes(app, plane);
      registerWhoAmIRoutes(app);
      registerAuthRoutes(app, identity);
      registerSessionRoutes(app, identity);
      registerUserRoutes(app, identity);
      registerTokenRoutes(app, identity);
      registerAuditRoutes(app, identity);
    },
    startWorkers: (ctx) => startLifecycleJobs(ctx),
  });
}
