import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { deriveKey, Keyring } from '@driftguard/db';
import { z } from 'zod';

/** What a tracked link opens: a notification and, for one drift of it, that drift. */
export const LinkTarget = z.object({
  n: z.number().int().positive(),
  o: z.number().int().positive(),
  d: z.number().int().positive().optional(),
});
export type LinkTarget = z.infer<typeof LinkTarget>;

export interface LinkSigner {
  sign(target: LinkTarget): string;
  verify(token: string): LinkTarget | undefined;
}

/**
 * Signs tracked links (`/r/<payload>.<hmac>`) with a key derived from DG_MASTER_KEY, so every
 * instance verifies every other's links. Without a master key (development only; production
 * requires one) a fixed development key is used.
 */
export function createLinkSigner(masterKey: string | undefined): LinkSigner {
  const key = masterKey
    ? deriveKey(Keyring.parse(masterKey), 'notifier-links')
    : createHash('sha256').update('driftguard development links').digest();
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url').slice(0, 32);
  return {
    sign(target) {
      const payload = Buffer.from(JSON.stringify(target)).toString('base64url');
      return `${payload}.${mac(payload)}`;
    },
    verify(token) {
      const [payload, signature] = token.split('.');
      if (!payload || !signature) return undefined;
      const expected = Buffer.from(mac(payload));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      try {
        const parsed = LinkTarget.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
