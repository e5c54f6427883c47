import { z } from 'zod';

/** Positive integer id of an organization or environment row. */
export const RowId = z.number().int().positive();

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * Every message on the bus is an envelope: `id` is a UUIDv7 (also sent as `Nats-Msg-Id` so
 * JetStream drops duplicates), `type` names the catalog entry, tenant ids repeat the subject's.
 */
export function envelopeOf<T extends z.ZodType>(type: string, data: T) {
  return z.object({
    id: z.string().regex(UUID_V7, 'must be a UUIDv7'),
    type: z.literal(type),
    occurredAt: z.iso.datetime({ offset: true }),
    orgId: RowId,
    envId: RowId,
    data,
  });
}

export const AnyEnvelope = z.object({
  id: z.string().regex(UUID_V7, 'must be a UUIDv7'),
  type: z.string().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  orgId: RowId,
  envId: RowId,
  data: z.unknown(),
});
export type AnyEnvelope = z.infer<typeof AnyEnvelope>;
