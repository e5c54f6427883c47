import { z } from 'zod';
import { envelopeOf } from '../envelope.js';
import { CauseCategory, ContextKind, DriftType, IacTool, Priority, ResolutionType, ScanFormat } from '../enums.js';
import { JsonValue } from '../json.js';
import { ChangesTruncated } from './claim-check.js';
import { DriftChange, ResourceIdentity } from './resource.js';

/**
 * A change as drift.detected carries it. A side named in `truncated` holds a `TruncatedValue`
 * (preview, size, hash, claim-check reference) instead of the value, which was too large for an
 * event; the other fields are as scanned.
 */
export const DetectedDriftChange = DriftChange.extend({
  truncated: z.array(z.enum(['declared', 'actual'])).optional(),
});
export type DetectedDriftChange = z.infer<typeof DetectedDriftChange>;

/** A drift opened by ingest (published once per drift event, when it is first seen). */
export const DriftDetectedV1Data = z.object({
  driftEventId: z.number().int().positive(),
  driftType: DriftType,
  fingerprint: z.string(),
  resource: ResourceIdentity,
  iacResourceId: z.number().int().positive().nullable(),
  changes: z.array(DetectedDriftChange),
  isSecurityCritical: z.boolean(),
  detectedAt: z.iso.datetime({ offset: true }),
  /**
   * When the scanner observed the drifted infrastructure (plan `timestamp`, CloudFormation
   * `Timestamp`, native `observedAt`, else the scan's submission time); `detectedAt` is when
   * ingest processed it. Cause analysis correlates against this time. Added later, so optional
   * while older publishers drain; ingest always sends it, and it becomes required in v2.
   */
  observedAt: z.iso.datetime({ offset: true }).optional(),
  scan: z.object({ id: z.string().uuid(), format: ScanFormat, scanner: z.string().optional() }).optional(),
  previousAddress: z.string().optional(),
  /** Added so events fit NATS's max_payload: set when `changes` holds only the first changes of the drift. */
  changesTruncated: ChangesTruncated.optional(),
});
export const DriftDetectedV1 = envelopeOf('drift.detected', DriftDetectedV1Data);
export type DriftDetectedV1 = z.infer<typeof DriftDetectedV1>;

/** A drift closed: by a full scan that no longer shows it, or by an engineer's command. */
export const DriftResolvedV1Data = z.object({
  driftEventId: z.number().int().positive(),
  resolvedAt: z.iso.datetime({ offset: true }),
  resolutionType: ResolutionType.nullable(),
  resolvedBy: z.enum(['scan', 'command']),
  confirmedCause: CauseCategory.optional(),
  actor: z.string().optional(),
  note: z.string().optional(),
});
export const DriftResolvedV1 = envelopeOf('drift.resolved', DriftResolvedV1Data);
export type DriftResolvedV1 = z.infer<typeof DriftResolvedV1>;

/** The environment a drift is in, as analysis saw it, so readers need no lookup to route or word an alert. */
export const EnvironmentSummary = z.object({
  name: z.string(),
  slug: z.string(),
  /** the `tier` / `env` / `environment` / `stage` tag, when there is one */
  tier: z.string().nullable(),
  /** production by that tag, else by the environment's name */
  production: z.boolean(),
  cloudProvider: z.string().optional(),
  accountId: z.string().nullable().optional(),
  region: z.string().nullable().optional(),
});
export type EnvironmentSummary = z.infer<typeof EnvironmentSummary>;

/** What drifted, carried by drift.analyzed and recommendation.created so readers need no lookup. */
export const AnalyzedDriftSummary = z.object({
  driftType: DriftType,
  resource: ResourceIdentity,
  changedPaths: z.array(z.string()),
  observedAt: z.iso.datetime({ offset: true }),
  // Added later (optional while older publishers drain):
  /** The changes as drift.detected carried them: masked, large values as claim checks, at most 200. */
  changes: z.array(DetectedDriftChange).optional(),
  changesTruncated: ChangesTruncated.optional(),
  isSecurityCritical: z.boolean().optional(),
  /** every security rule any change hit, without repeats */
  securityRuleIds: z.array(z.string()).optional(),
  /** the IaC tool that declares (or should declare) the resource */
  iacTool: IacTool.optional(),
  scan: z.object({ id: z.string().uuid(), format: ScanFormat, scanner: z.string().optional() }).optional(),
  previousAddress: z.string().optional(),
  detectedAt: z.iso.datetime({ offset: true }).optional(),
  environment: EnvironmentSummary.optional(),
});
export type AnalyzedDriftSummary = z.infer<typeof AnalyzedDriftSummary>;

/** How a change was made: the tool or path the principal used, read from its user agent. */
export const ChangeChannel = z.enum([
  'console',
  'cli',
  'sdk',
  'terraform',
  'cloudformation',
  'kubectl',
  'controller',
  'automation',
  'unknown',
]);
export type ChangeChannel = z.infer<typeof ChangeChannel>;

/** Who made the change and through what, from the audit trail that named the resource. */
export const DriftAttribution = z.object({
  principal: z.string(),
  userAgent: z.string().nullable(),
  source: z.string(),
  sourceId: z.string(),
  // Added later (optional while older publishers drain):
  /** a person, an assumed-role session, a cloud service principal, a controller or automation */
  principalKind: z.enum(['human', 'role_session', 'service', 'controller', 'automation', 'unknown']).optional(),
  channel: ChangeChannel.optional(),
  /** the principal is the environment's own IaC pipeline (its configured role ARNs) */
  isIacPipeline: z.boolean().optional(),
  /** the source's link to the record, when it has one */
  link: z.string().optional(),
});
export type DriftAttribution = z.infer<typeof DriftAttribution>;

/** A signal correlated with a drift, best match first. */
export const CorrelatedSignal = z.object({
  kind: ContextKind,
  source: z.string(),
  sourceId: z.string(),
  occurredAt: z.iso.datetime({ offset: true }),
  match: z.enum(['resource', 'declaring_file', 'environment']),
  score: z.number().min(0).max(1),
  summary: z.string().optional(),
  link: z.string().optional(),
  // Added later (optional while older publishers drain):
  /** incidents, alerts and windows: whether still open at analysis time */
  status: z.enum(['open', 'resolved']).optional(),
  /** the source's own severity or priority (SEV1, P1, critical…) */
  severity: z.string().optional(),
  actor: z.string().optional(),
});
export type CorrelatedSignal = z.infer<typeof CorrelatedSignal>;

/** When the change happened, against the environment's calendar and its operational context. */
export const TemporalContext = z.object({
  timeZone: z.string(),
  businessHours: z.boolean(),
  weekend: z.boolean(),
  holiday: z.boolean().optional(),
  insideIncident: z.boolean(),
  insideMaintenance: z.boolean(),
  insideDeployment: z.boolean(),
  /** minutes between the observation and the nearest correlated signal; null without one */
  minutesFromNearestSignal: z.number().nullable(),
});
export type TemporalContext = z.infer<typeof TemporalContext>;

/** How the cause was reached (`model` or `rules`), with its strongest evidence first. */
export const CauseDetail = z.object({
  method: z.enum(['model', 'rules']),
  modelVersion: z.string().optional(),
  rule: z.string().optional(),
  evidence: z.array(z.string()),
});
export type CauseDetail = z.infer<typeof CauseDetail>;

/** Severity, risk and probable cause of a drift, from analysis. */
export const DriftAnalyzedV1Data = z.object({
  driftEventId: z.number().int().positive(),
  severityScore: z.number().min(0).max(1),
  confidenceScore: z.number().min(0).max(1),
  priority: Priority,
  cause: z.object({ category: CauseCategory, confidence: z.number().min(0).max(1) }),
  riskAssessment: z.record(z.string(), JsonValue),
  // The fields below were added later, so they are optional while older publishers drain.
  /** What drifted, so a reader needs no lookup to say it. */
  drift: AnalyzedDriftSummary.optional(),
  causeDetail: CauseDetail.optional(),
  /** Who made the change, from the audit trail that named the resource. */
  attribution: DriftAttribution.nullable().optional(),
  /** Outside signals correlated with the drift, best match first. */
  correlated: z.array(CorrelatedSignal).optional(),
  temporal: TemporalContext.optional(),
  /**
   * Version of this drift's analysis: 1 for the first, higher for each re-analysis (new changes,
   * or a late signal). Readers keep the highest they have seen.
   */
  analysisVersion: z.number().int().positive().optional(),
  /** Version of the correlation, risk and cause logic that produced it. */
  logicVersion: z.string().optional(),
});
export const DriftAnalyzedV1 = envelopeOf('drift.analyzed', DriftAnalyzedV1Data);
export type DriftAnalyzedV1 = z.infer<typeof DriftAnalyzedV1>;
