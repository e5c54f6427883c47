import { consume, type Consumption } from '@driftguard/bus';
import { SERVICE_ROLES } from '@driftguard/db';
import { createServiceShell, type Service, type ServiceDeps, type Worker } from '@driftguard/runtime';
import type { AnalysisConfig } from './config.js';
import { createHistoryCache } from './analysis/drift.analyze.js';
import { createActiveCauseModel } from './cause/active-cause-model.js';
import {
  contextAlertV1,
  contextAuditEventV1,
  contextDeploymentV1,
  contextGitCommitV1,
  contextIncidentV1,
  contextMaintenanceV1,
  contextSecurityEventV1,
  driftDetectedV1,
  driftResolvedV1,
} from './handlers/index.js';

/** What a caller may share with the service (`dg up`, tests); anything omitted is created and owned. */
export type AnalysisDeps = ServiceDeps;

/**
 * The analysis service: context intake, correlation, risk and cause analysis. The shell connects PostgreSQL and NATS,
 * relays the outbox, serves /healthz, /readyz and /metrics, and stops in order. Message handlers
 * (`handlers/index.ts`) run from `startWorkers`.
 */
export async function createAnalysisService(cfg: AnalysisConfig, deps: AnalysisDeps = {}): Promise<Service> {
  return createServiceShell({
    name: 'analysis',
    // Connects as its own PostgreSQL role: grants follow the ownership map.
    dbRole: SERVICE_ROLES.analysis,
    cfg,
    deps,
    relay: true,
    startWorkers: async (ctx): Promise<Worker[]> => {
      const model = createActiveCauseModel();
      const common = { db: ctx.db, bus: ctx.bus, service: 'analysis', log: ctx.log };
      const analyze = {
        subjectRoot: ctx.bus.config.subjectRoot,
        model,
        lookBackMs: cfg.DG_ANALYSIS_LOOKBACK_HOURS * 3600_000,
        // The cause model's history feature: a minute old at most.
        history: createHistoryCache(60_000),
        eventBudgetBytes: () => ctx.bus.eventBudgetBytes(),
      };
      // Signals are stored before drifts are analyzed against them (a late one re-analyzes the
      // drifts it concerns); each subject has its own durable.
      const workers: Consumption[] = [
        await consume({ ...common, key: 'context.git_commit.v1', handler: contextGitCommitV1(analyze) }),
        await consume({ ...common, key: 'context.incident.v1', handler: contextIncidentV1(analyze) }),
        await consume({ ...common, key: 'context.alert.v1', handler: contextAlertV1(analyze) }),
        await consume({ ...common, key: 'context.deployment.v1', handler: contextDeploymentV1(analyze) }),
        await consume({ ...common, key: 'context.audit_event.v1', handler: contextAuditEventV1(analyze) }),
        await consume({ ...common, key: 'context.maintenance.v1', handler: contextMaintenanceV1(analyze) }),
        await consume({ ...common, key: 'context.security_event.v1', handler: contextSecurityEventV1(analyze) }),
        await consume({
          ...common,
          key: 'drift.detected.v1',
          batch: cfg.DG_ANALYSIS_BATCH,
          handleBatch: driftDetectedV1(analyze),
        }),
        await consume({ ...common, key: 'drift.resolved.v1', handler: driftResolvedV1() }),
      ];
      // The shell stops workers at once; the model is freed only after every consumer has finished
      // its messages (stopping a consumption twice is safe).
      const freeModel: Worker = {
        stop: async () => {
          await Promise.all(workers.map((w) => w.stop()));
          model.close();
        },
      };
      return [...workers, freeModel];
    },
  });
}
