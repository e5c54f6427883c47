import { createHmac } from 'node:crypto';
import type { Json } from '../model/observation.js';
import { canonicalJson, sha256Hex } from '../diff/canonical-json.js';

/**
 * The stored hash of a masked {declared, actual} pair: HMAC-SHA256 under a key derived from
 * DG_MASTER_KEY over the pair's canonical sha256. A plain hash of a short secret can be reversed
 * by trying values; the keyed one only shows that a secret changed. There is no unkeyed variant.
 */
export interface ValueHasher {
  /** Keyed hash of a pair not hashed yet. */
  ofPair(declared: Json | undefined, actual: Json | undefined): string;
  /** Keyed hash from the pair's canonical sha256 (as the diff engine computes it in memory). */
  ofDigest(sha256: string): string;
}

export function createValueHasher(key: Buffer): ValueHasher {
  if (key.length < 32) throw new Error('the sensitive-value hash key must be at least 32 bytes');
  const ofDigest = (digest: string) => createHmac('sha256', key).update(digest).digest('hex');
  return {
    ofDigest,
    ofPair: (declared, actual) => ofDigest(sha256Hex(canonicalJson({ declared, actual }))),
  };
}
