import { createHash } from 'node:crypto';

/**
 * The envelope id of a context signal, derived from (organization, source, source id): a
 * redelivered signal gets the id it had the first time, so the outbox row it already has, then
 * JetStream's dedup window (`Nats-Msg-Id`), then each consumer's processed-message ledger drop
 * it. SHA-256 of the triple shaped as a UUID with version 7 and the RFC 9562 variant (the
 * envelope contract's form); its time bits are hash bits, not a timestamp.
 */
export function contextEventId(orgId: number, source: string, sourceId: string): string {
  const h = createHash('sha256').update(`driftguard:context:${orgId}\u0000${source}\u0000${sourceId}`).digest();
  h[6] = 0x70 | (h[6]! & 0x0f);
  h[8] = 0x80 | (h[8]! & 0x3f);
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
