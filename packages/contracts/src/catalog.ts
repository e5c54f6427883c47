import type { z } from 'zod';
import { ScanSubmittedV1 } from './events/scan.js';
import { DriftAnalyzedV1, DriftDetectedV1, DriftResolvedV1 } from './events/drift.js';
import { RecommendationCreatedV1, RemediationRequestedV1 } from './events/recommendation.js';
import {
  ContextAlertV1,
  ContextAuditEventV1,
  ContextDeploymentV1,
  ContextGitCommitV1,
  ContextIncidentV1,
  ContextMaintenanceV1,
  ContextSecurityEventV1,
} from './events/context.js';
import {
  CmdDriftResolveV1,
  CmdMaintenanceWindowCreateV1,
  CmdNotificationAcknowledgeV1,
  CmdNotificationRedeliverV1,
  CmdRecommendationRespondV1,
  CmdRepoSyncV1,
  CmdSilenceCreateV1,
} from './events/command.js';

/** The JetStream stream each subject family lives in (streams are declared by packages/bus). */
export type StreamKey = 'SCAN' | 'DRIFT' | 'CONTEXT' | 'RECOMMENDATION' | 'REMEDIATION' | 'CMD';

interface CatalogEntry<S extends z.ZodType> {
  /** event type, the subject's `<domain>.<event>` part */
  type: string;
  version: number;
  stream: StreamKey;
  schema: S;
}

function entry<S extends z.ZodType>(type: string, version: number, stream: StreamKey, schema: S): CatalogEntry<S> {
  return { type, version, stream, schema };
}

/**
 * Every message DriftGuard sends, one entry per subject. Changes are additive; a breaking change
 * is a new `.vN` entry and consumers accept both while it rolls out.
 */
export const catalog = {
  'scan.submitted.v1': entry('scan.submitted', 1, 'SCAN', ScanSubmittedV1),
  'drift.detected.v1': entry('drift.detected', 1, 'DRIFT', DriftDetectedV1),
  'drift.resolved.v1': entry('drift.resolved', 1, 'DRIFT', DriftResolvedV1),
  'drift.analyzed.v1': entry('drift.analyzed', 1, 'DRIFT', DriftAnalyzedV1),
  'recommendation.created.v1': entry('recommendation.created', 1, 'RECOMMENDATION', RecommendationCreatedV1),
  'remediation.requested.v1': entry('remediation.requested', 1, 'REMEDIATION', RemediationRequestedV1),
  'context.git_commit.v1': entry('context.git_commit', 1, 'CONTEXT', ContextGitCommitV1),
  'context.incident.v1': entry('context.incident', 1, 'CONTEXT', ContextIncidentV1),
  'context.alert.v1': entry('context.alert', 1, 'CONTEXT', ContextAlertV1),
  'context.deployment.v1': entry('context.deployment', 1, 'CONTEXT', ContextDeploymentV1),
  'context.audit_event.v1': entry('context.audit_event', 1, 'CONTEXT', ContextAuditEventV1),
  'context.maintenance.v1': entry('context.maintenance', 1, 'CONTEXT', ContextMaintenanceV1),
  'context.security_event.v1': entry('context.security_event', 1, 'CONTEXT', ContextSecurityEventV1),
  'cmd.drift.resolve.v1': entry('cmd.drift.resolve', 1, 'CMD', CmdDriftResolveV1),
  'cmd.repo.sync.v1': entry('cmd.repo.sync', 1, 'CMD', CmdRepoSyncV1),
  'cmd.recommendation.respond.v1': entry('cmd.recommendation.respond', 1, 'CMD', CmdRecommendationRespondV1),
  'cmd.notification.acknowledge.v1': entry('cmd.notification.acknowledge', 1, 'CMD', CmdNotificationAcknowledgeV1),
  'cmd.silence.create.v1': entry('cmd.silence.create', 1, 'CMD', CmdSilenceCreateV1),
  'cmd.maintenance_window.create.v1': entry('cmd.maintenance_window.create', 1, 'CMD', CmdMaintenanceWindowCreateV1),
  'cmd.notification.redeliver.v1': entry('cmd.notification.redeliver', 1, 'CMD', CmdNotificationRedeliverV1),
} as const;

export type Catalog = typeof catalog;
/** Key of a catalog entry, e.g. `drift.detected.v1`. */
export type EventKey = keyof Catalog;
/** The parsed envelope of an event. */
export type EventOf<K extends EventKey> = z.infer<Catalog[K]['schema']>;
/** The `data` payload of an event. */
export type DataOf<K extends EventKey> = EventOf<K>['data'];

export const eventKeys = Object.keys(catalog) as EventKey[];
