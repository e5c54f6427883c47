/** The notifier's message handlers, one per subject. */
export { cmdNotificationAcknowledgeV1 } from './cmd.notification.acknowledge.v1.js';
export { cmdNotificationRedeliverV1 } from './cmd.notification.redeliver.v1.js';
export { cmdSilenceCreateV1 } from './cmd.silence.create.v1.js';
export { cmdMaintenanceWindowCreateV1 } from './cmd.maintenance_window.create.v1.js';
export { driftDetectedV1 } from './drift.detected.v1.js';
export { driftResolvedV1 } from './drift.resolved.v1.js';
export { recommendationCreatedV1 } from './recommendation.created.v1.js';
