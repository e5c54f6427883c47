import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignedContextSource } from '@driftguard/contracts';

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/** The header each signed source puts its signature in. */
export const SIGNATURE_HEADER: Record<SignedContextSource, string> = {
  github: 'x-hub-signature-256',
  pagerduty: 'x-pagerduty-signature',
};

/**
 * The hex HMAC-SHA256 signatures a header offers: GitHub `sha256=<hex>`; PagerDuty
 * `v1=<hex>[,v1=<hex>…]` (several while a secret is rotated). Other schemes are not offered.
 */
export function offeredSignatures(source: SignedContextSource, header: string): string[] {
  const prefix = source === 'github' ? 'sha256=' : 'v1=';
  const parts = source === 'github' ? [header.trim()] : header.split(',').map((p) => p.trim());
  return parts
    .filter((p) => p.startsWith(prefix))
    .map((p) => p.slice(prefix.length))
    .filter((hex) => HEX_SHA256.test(hex));
}

/**
 * True when one offered signature is HMAC-SHA256(secret, raw body), computed over the exact
 * bytes received and compared in constant time (every offered signature is compared, so the
 * time does not tell which one was close).
 */
export function signatureMatches(source: SignedContextSource, header: string | undefined, raw: Buffer, secret: Buffer): boolean {
  if (header === undefined) return false;
  const expected = createHmac('sha256', secret).update(raw).digest();
  let matched = false;
  for (const hex of offeredSignatures(source, header)) {
    if (timingSafeEqual(Buffer.from(hex, 'hex'), expected)) matched = true;
  }
  return matched;
}
