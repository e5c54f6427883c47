import { z } from 'zod';
import { envelopeOf } from '../envelope.js';
import { ContextKind } from '../enums.js';
import { JsonValue } from '../json.js';

/**
 * An outside signal (commit, incident, alert, deployment, audit-trail entry) received by ingest
 * and handed to analysis for correlation. `resourceRefs` are physical ids or IaC addresses it names.
 */
export const ContextSignalV1Data = z.object({
  kind: ContextKind,
  externalSystem: z.string().min(1).max(50),
  externalId: z.string().min(1).max(255),
  occurredAt: z.iso.datetime({ offset: true }),
  actor: z.string().max(255).optional(),
  resourceRefs: z.array(z.string()).default([]),
  summary: z.string().optional(),
  data: z.record(z.string(), JsonValue),
});
export type ContextSignalV1Data = z.infer<typeof ContextSignalV1Data>;

export const ContextGitCommitV1 = envelopeOf('context.git_commit', ContextSignalV1Data);
export const ContextIncidentV1 = envelopeOf('context.incident', ContextSignalV1Data);
export const ContextAlertV1 = envelopeOf('context.alert', ContextSignalV1Data);
export const ContextDeploymentV1 = envelopeOf('context.deployment', ContextSignalV1Data);
export const ContextAuditEventV1 = envelopeOf('context.audit_event', ContextSignalV1Data);
export const ContextMaintenanceV1 = envelopeOf('context.maintenance', ContextSignalV1Data);
export const ContextSecurityEventV1 = envelopeOf('context.security_event', ContextSignalV1Data);
