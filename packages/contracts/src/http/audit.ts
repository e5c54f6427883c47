import { z } from 'zod';

/** Who made an audited change. */
export const AuditActor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), userId: z.number().int(), sessionId: z.string().nullable() }),
  z.object({ kind: z.literal('token'), tokenId: z.number().int() }),
  z.object({ kind: z.literal('system') }),
]);
export type AuditActor = z.infer<typeof AuditActor>;

/** One audit_log row as the api shows it. */
export const AuditEntryView = z.object({
  id: z.string(),
  timestamp: z.iso.datetime(),
  actor: AuditActor,
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.number().int(),
  oldValues: z.unknown().nullable(),
  newValues: z.unknown().nullable(),
  ipAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  success: z.boolean(),
  errorMessage: z.string().nullable(),
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;

const boolText = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Filters of `GET /v1/audit` and `GET /v1/audit/export`. */
export const AuditFilterQuery = z.object({
  action: z.string().max(100).optional(),
  resourceType: z.string().max(50).optional(),
  resourceId: z.coerce.number().int().optional(),
  userId: z.coerce.number().int().optional(),
  tokenId: z.coerce.number().int().optional(),
  success: boolText.optional(),
  /** RFC 3339; inclusive. */
  since: z.iso.datetime({ offset: true }).optional(),
  /** RFC 3339; exclusive. */
  until: z.iso.datetime({ offset: true }).optional(),
});
export type AuditFilterQuery = z.infer<typeof AuditFilterQuery>;

export const AuditListQuery = AuditFilterQuery.extend({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** `nextCursor` of the previous page. */
  cursor: z.string().max(200).optional(),
});
export type AuditListQuery = z.infer<typeof AuditListQuery>;

export const AuditExportQuery = AuditFilterQuery.extend({ format: z.enum(['csv', 'jsonl']).default('jsonl') });
export type AuditExportQuery = z.infer<typeof AuditExportQuery>;

/** Newest first; `nextCursor` is null on the last page. */
export const AuditPage = z.object({ items: z.array(AuditEntryView), nextCursor: z.string().nullable() });
export type AuditPage = z.infer<typeof AuditPage>;
