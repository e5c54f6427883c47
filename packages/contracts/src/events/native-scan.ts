/**
 * DriftGuard's own scan contract ("native" format): scanners that already know what drifted send
 * observations directly; an external scanner imports this schema from @driftguard/contracts.
 * `changes` may be omitted on modified/moved observations: ingest then computes them from
 * declared/actual with its diff engine.
 */
import { z } from 'zod';
import { JsonValue } from '../json.js';
import { ResourceIdentity } from './resource.js';

/** Any JSON value (the one definition in json.ts), under the name the native contract has always used. */
export const nativeJsonSchema = JsonValue;

/** The resource identity of drift events, plus what scanners know of Kubernetes and Terraform instances. */
export const nativeResourceRefSchema = ResourceIdentity.extend({
  address: z.string().min(1).optional(),
  kind: z.string().optional(),
  apiVersion: z.string().optional(),
  index: z.union([z.string(), z.number()]).optional(),
  importing: z.boolean().optional(),
  tainted: z.boolean().optional(),
  deposed: z.string().optional(),
});

export const nativeChangeSchema = z.object({
  /** RFC 6901 pointer ('' = the whole resource). */
  path: z.string().regex(/^(?:\/.*)?$/, 'must be a JSON pointer ("" or starting with "/")'),
  declared: nativeJsonSchema.optional(),
  actual: nativeJsonSchema.optional(),
  changeType: z.enum(['modified', 'added', 'removed']).optional(),
  sensitive: z.boolean().optional(),
});

const body = nativeJsonSchema.optional();
const changes = z.array(nativeChangeSchema).optional();
/** Pointers of secret values inside declared/actual (masked, compared by hash). */
const sensitivePaths = z.array(z.string()).optional();

export const nativeObservationSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('modified'),
    resource: nativeResourceRefSchema,
    declared: nativeJsonSchema,
    actual: nativeJsonSchema,
    changes,
    sensitivePaths,
  }),
  z.object({ kind: z.literal('deleted'), resource: nativeResourceRefSchema, declared: body, sensitivePaths }),
  z.object({ kind: z.literal('added'), resource: nativeResourceRefSchema, actual: body, sensitivePaths }),
  z.object({
    kind: z.literal('moved'),
    resource: nativeResourceRefSchema,
    previousAddress: z.string().min(1),
    declared: body,
    actual: body,
    changes,
    sensitivePaths,
  }),
  z.object({ kind: z.literal('in_sync'), resource: nativeResourceRefSchema }),
  z.object({
    kind: z.literal('not_checked'),
    resource: nativeResourceRefSchema,
    status: z.string().min(1),
    reason: z.string().optional(),
  }),
]);

export const nativeScanSchema = z.object({
  format: z.literal('native').optional(),
  version: z.literal(1).optional(),
  scanner: z.object({ name: z.string().min(1), version: z.string().optional() }).optional(),
  resourcesSeen: z.number().int().nonnegative().optional(),
  /**
   * When the scanner observed the infrastructure (RFC 3339 with an offset). Added later, so
   * optional: without it, the time the scan was submitted stands in.
   */
  observedAt: z.iso.datetime({ offset: true }).optional(),
  /** Items are validated one by one: one bad observation is rejected, not the scan. */
  observations: z.array(z.unknown()),
});

export type NativeObservation = z.infer<typeof nativeObservationSchema>;
export type NativeScan = z.infer<typeof nativeScanSchema>;
