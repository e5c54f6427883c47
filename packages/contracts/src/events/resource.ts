import { z } from 'zod';
import { JsonValue } from '../json.js';
import { ChangeType } from '../enums.js';

/** How a resource is named whatever format reported it; unmanaged resources have no address. */
export const ResourceIdentity = z.object({
  address: z.string().optional(),
  type: z.string().min(1),
  name: z.string().optional(),
  physicalId: z.string().optional(),
  provider: z.string().optional(),
  module: z.string().optional(),
  namespace: z.string().optional(),
  source: z.string().optional(),
});
export type ResourceIdentity = z.infer<typeof ResourceIdentity>;

/** One property-level difference, `path` an RFC 6901 JSON Pointer. Sensitive values arrive masked. */
export const DriftChange = z.object({
  path: z.string(),
  declared: JsonValue.optional(),
  actual: JsonValue.optional(),
  changeType: ChangeType,
  sensitive: z.boolean().default(false),
  securityRuleIds: z.array(z.string()).default([]),
});
export type DriftChange = z.infer<typeof DriftChange>;
