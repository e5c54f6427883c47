import { z } from 'zod';

/**
 * Enumerations shared with the database. Each list is the exact CHECK constraint of the seed
 * schema, so code and database cannot disagree; packages/db tests compare them.
 */
export const CloudProvider = z.enum(['aws', 'gcp', 'azure']);
export type CloudProvider = z.infer<typeof CloudProvider>;

export const IacTool = z.enum(['terraform', 'cloudformation', 'kubernetes']);
export type IacTool = z.infer<typeof IacTool>;

export const DriftType = z.enum(['modified', 'deleted', 'added', 'moved']);
export type DriftType = z.infer<typeof DriftType>;

export const ChangeType = z.enum(['modified', 'added', 'removed']);
export type ChangeType = z.infer<typeof ChangeType>;

export const ResolutionType = z.enum(['auto_revert', 'codify_iac', 'accepted', 'escalated']);
export type ResolutionType = z.infer<typeof ResolutionType>;

export const CauseCategory = z.enum([
  'emergency_fix',
  'manual_troubleshooting',
  'security_response',
  'configuration_error',
  'automated_response',
  'unknown',
]);
export type CauseCategory = z.infer<typeof CauseCategory>;

export const RecommendationType = z.enum(['auto_revert', 'codify_iac', 'escalate_review', 'accept_exception', 'manual_review']);
export type RecommendationType = z.infer<typeof RecommendationType>;

export const Priority = z.enum(['low', 'medium', 'high', 'critical']);
export type Priority = z.infer<typeof Priority>;

export const EstimatedEffort = z.enum(['minutes', 'hours', 'days']);
export type EstimatedEffort = z.infer<typeof EstimatedEffort>;

export const ChannelType = z.enum(['email', 'slack', 'webhook', 'pagerduty']);
export type ChannelType = z.infer<typeof ChannelType>;

/** operational_context.context_type */
export const OperationalContextType = z.enum(['incident', 'deployment', 'maintenance', 'security_event']);
export type OperationalContextType = z.infer<typeof OperationalContextType>;

export const IncidentImpact = z.enum(['low', 'medium', 'high']);
export type IncidentImpact = z.infer<typeof IncidentImpact>;

export const ModelType = z.enum(['classification', 'regression', 'clustering']);
export type ModelType = z.infer<typeof ModelType>;

/** Kinds of outside signal DriftGuard correlates with drift (context.* events). */
export const ContextKind = z.enum([
  'git_commit',
  'incident',
  'alert',
  'deployment',
  'audit_event',
  'maintenance',
  'security_event',
]);
export type ContextKind = z.infer<typeof ContextKind>;

/** Roles of users and API tokens; `scanner` tokens may only submit scans and declared state. */
export const Role = z.enum(['admin', 'engineer', 'viewer', 'scanner']);
export type Role = z.infer<typeof Role>;

/** Input formats understood by the ingest service. */
export const ScanFormat = z.enum(['native', 'terraform-plan', 'tfstate', 'driftctl', 'cloudformation', 'kubernetes']);
export type ScanFormat = z.infer<typeof ScanFormat>;

export const ScanStatus = z.enum(['accepted', 'processing', 'completed', 'rejected', 'failed']);
export type ScanStatus = z.infer<typeof ScanStatus>;

export const ScanSource = z.enum(['http', 'nats', 'cli']);
export type ScanSource = z.infer<typeof ScanSource>;
