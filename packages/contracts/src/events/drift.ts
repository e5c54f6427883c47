import { z } from 'zod';
import { envelopeOf } from '../envelope.js';
import { CauseCategory, DriftType, Priority, ResolutionType, ScanFormat } from '../enums.js';
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
});
export const DriftAnalyzedV1 = envelopeOf('drift.analyzed', DriftAnalyzedV1Data);
export type DriftAnalyzedV1 = z.infer<typeof DriftAnalyzedV1>;
