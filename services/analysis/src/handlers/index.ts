/** The analysis service's message handlers, one per subject. */
export { contextAlertV1 } from './context.alert.v1.js';
export { contextAuditEventV1 } from './context.audit_event.v1.js';
export { contextDeploymentV1 } from './context.deployment.v1.js';
export { contextGitCommitV1 } from './context.git_commit.v1.js';
export { contextIncidentV1 } from './context.incident.v1.js';
export { contextMaintenanceV1 } from './context.maintenance.v1.js';
export { contextSecurityEventV1 } from './context.security_event.v1.js';
export { driftDetectedV1, LOGIC_VERSION, type DriftDetectedDeps } from './drift.detected.v1.js';
export { driftResolvedV1 } from './drift.resolved.v1.js';
