import { z } from 'zod';
import { envelopeOf } from '../envelope.js';
import { ScanFormat } from '../enums.js';

/**
 * A scan submitted over NATS. `body` is the scanner's output as it is (any JSON, or a string for
 * YAML manifests); `bodyBase64Gzip` carries a gzip-compressed body when it would not fit a message.
 */
export const ScanSubmittedV1Data = z
  .object({
    format: ScanFormat,
    full: z.boolean().default(false),
    scanner: z.string().max(255).optional(),
    body: z.unknown().optional(),
    bodyBase64Gzip: z.string().optional(),
  })
  .refine((d) => d.body !== undefined || d.bodyBase64Gzip !== undefined, {
    message: 'one of body or bodyBase64Gzip is required',
    path: ['body'],
  });
export const ScanSubmittedV1 = envelopeOf('scan.submitted', ScanSubmittedV1Data);
export type ScanSubmittedV1 = z.infer<typeof ScanSubmittedV1>;
