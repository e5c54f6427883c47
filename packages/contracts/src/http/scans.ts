import { z } from 'zod';
import { ScanFormat, ScanSource, ScanStatus } from '../enums.js';

/** `<org>/<env>` slugs, as `dg push --env` and the `env` query parameter take them. */
export const EnvironmentRef = z.string().regex(/^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/i, 'expected <org>/<env>');

/** Query of `POST /v1/scans` (the body is the scanner's output as it is, optionally gzip). */
export const SubmitScanQuery = z.object({
  format: ScanFormat,
  full: z.enum(['true', 'false', '1', '0']).optional(),
  scanner: z.string().max(255).optional(),
  /** Required for an organization-wide token; an environment-bound token may only name its own. */
  env: EnvironmentRef.optional(),
});
export type SubmitScanQuery = z.infer<typeof SubmitScanQuery>;

/** `202` answer of `POST /v1/scans`: the scan is recorded and will be processed. */
export const ScanAccepted = z.object({
  scanId: z.uuid(),
  status: z.literal('accepted'),
  statusUrl: z.string(),
});
export type ScanAccepted = z.infer<typeof ScanAccepted>;

export const ScanIdParams = z.object({ id: z.string() });

/** An input item the scan could not use, with the reason. */
export const RejectedItem = z.object({ path: z.string(), reason: z.string() });
export type RejectedItem = z.infer<typeof RejectedItem>;

/** `GET /v1/scans/:id`: where a scan is and what it found. */
export const ScanStatusBody = z.object({
  id: z.uuid(),
  environmentId: z.number().int(),
  format: ScanFormat,
  full: z.boolean(),
  scanner: z.string().nullable(),
  source: ScanSource,
  status: ScanStatus,
  counts: z.object({
    resourcesSeen: z.number().int(),
    driftsOpened: z.number().int(),
    driftsUpdated: z.number().int(),
    driftsResolved: z.number().int(),
  }),
  rejected: z.array(RejectedItem),
  /** IaC coverage (managed, unmanaged, missing, percent), when the format gives one. */
  coverage: z.record(z.string(), z.unknown()).nullable(),
  /** Not-checked resources, scanner alerts, what each ignore rule suppressed. */
  report: z.record(z.string(), z.unknown()),
  /** Why a rejected or failed scan ended. */
  error: z.looseObject({ code: z.string().optional(), path: z.string().optional(), message: z.string().optional() }).nullable(),
  attempts: z.number().int(),
  submittedAt: z.iso.datetime({ offset: true }),
  startedAt: z.iso.datetime({ offset: true }).nullable(),
  completedAt: z.iso.datetime({ offset: true }).nullable(),
});
export type ScanStatusBody = z.infer<typeof ScanStatusBody>;
