import { createHash, randomBytes } from 'node:crypto';

/** `dg_<prefix>_<secret>`: the prefix finds the row, the secret proves possession. */
const TOKEN_FORMAT = /^dg_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface GeneratedToken {
  /** The whole token, shown to its owner once and never stored. */
  token: string;
  /** Eight lowercase letters or digits, stored in `api_tokens.token_prefix` and shown in listings. */
  prefix: string;
  /** sha256 of the secret, stored in `api_tokens.token_hash`. */
  hash: Buffer;
}

/** sha256 of a token's secret part; the only form in which a secret is stored. */
export function hashToken(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** A new random token: 8-character prefix and 256-bit secret. */
export function generateToken(): GeneratedToken {
  const bytes = randomBytes(8);
  const prefix = Array.from(bytes, (b) => PREFIX_ALPHABET[b % PREFIX_ALPHABET.length]).join('');
  const secret = randomBytes(32).toString('base64url');
  return { token: `dg_${prefix}_${secret}`, prefix, hash: hashToken(secret) };
}

/** Splits a token into prefix and secret; `undefined` when it is not shaped like one. */
export function parseToken(token: string): { prefix: string; secret: string } | undefined {
  const match = TOKEN_FORMAT.exec(token);
  return match ? { prefix: match[1]!, secret: match[2]! } : undefined;
}
