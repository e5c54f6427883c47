import { z } from 'zod';

/**
 * Where the full value of a change cut from an event is kept: the `drift_changes` row of drift
 * `driftEventId` at `propertyPath` (as stored, i.e. clipped to 500 characters), column `side`.
 * Fetch it with `fetchDriftChangeValue` from @driftguard/db (read-only).
 */
export const ClaimCheckRef = z.object({
  driftEventId: z.number().int().positive(),
  propertyPath: z.string(),
  side: z.enum(['declared', 'actual']),
});
export type ClaimCheckRef = z.infer<typeof ClaimCheckRef>;

/**
 * Stands in for a value too large to travel in an event (NATS refuses messages above its
 * `max_payload`, 1 MB by default). Events stay small whatever the resource; the database keeps
 * the whole value, already masked like every value that reaches an event.
 */
export const TruncatedValue = z.object({
  truncated: z.literal(true),
  /** the first characters of the value's JSON text, at most `EVENT_VALUE_PREVIEW_CHARS` */
  preview: z.string(),
  /** UTF-8 size of the value's JSON text */
  bytes: z.number().int().nonnegative(),
  /** sha256 (hex) of the value's JSON text as ingest serialized it: equal values, equal hashes */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  ref: ClaimCheckRef,
});
export type TruncatedValue = z.infer<typeof TruncatedValue>;

/** Characters of a cut value's JSON text kept in `TruncatedValue.preview`. */
export const EVENT_VALUE_PREVIEW_CHARS = 512;

/** The `TruncatedValue` a change carries in place of `value`, or undefined when `value` is the real one. */
export function asTruncatedValue(value: unknown): TruncatedValue | undefined {
  const r = TruncatedValue.safeParse(value);
  return r.success ? r.data : undefined;
}

/**
 * Present on an event that carries only the first `included` of a drift's `total` changes
 * (e.g. 10,000 changed properties): the rest are fetched by `driftEventId`
 * (`listDriftChanges` from @driftguard/db, ordered as in the event).
 */
export const ChangesTruncated = z.object({
  total: z.number().int().nonnegative(),
  included: z.number().int().nonnegative(),
  ref: z.object({ driftEventId: z.number().int().positive() }),
});
export type ChangesTruncated = z.infer<typeof ChangesTruncated>;
