import { z } from 'zod';
import { envelopeOf } from '../envelope.js';
import { CauseCategory, ContextKind, DriftType, Priority, ResolutionType, ScanFormat } from '../enums.js';
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
  drift: z
    .object({
      driftType: DriftType,
      resource: ResourceIdentity,
      changedPaths: z.array(z.string()),
      observedAt: z.iso.datetime({ offset: true }),
    })
    .optional(),
  /** How the cause was reached (`model` or `rules`), with its strongest evidence first. */
  causeDetail: z
    .object({
      method: z.enum(['model', 'rules']),
      modelVersion: z.string().optional(),
      rule: z.string().optional(),
      evidence: z.array(z.string()),
    })
    .optional(),
  /** Who made the change, from the audit trail that named the resource. */
  attribution: z
    .object({ principal: z.string(), userAgent: z.string().nullable(), source: z.string(), sourceId: z.string() })
    .nullable()
    .optional(),
  /** Outside signals correlated with the drift, best match first. */
  correlated: z
    .array(
      z.object({
        kind: ContextKind,
        source: z.string(),
        sourceId: z.string(),
        occurredAt: z.iso.datetime({ offset: true }),
        match: z.enum(['resource', 'declaring_file', 'environment']),
        score: z.number().min(0).max(1),
        summary: z.string().optional(),
        link: z.string().optional(),
      }),
    )
    .optional(),
  /** Version of the analysis that produced this event. */
  analysisVersion: z.string().optional(),
});
export const DriftAnalyzedV1 = envelopeOf('drift.analyzed', DriftAnalyzedV1Data);
export type DriftAnalyzedV1 = z.infer<typeof DriftAnalyzedV1>;
