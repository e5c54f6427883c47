import type { JsonValue } from '@driftguard/db';

/** What stands in for a secret in audit_log's old and new values. */
export const REDACTED = '(redacted)';

// Key words that name a secret (compared on the key lower-cased, separators removed).
const SECRET_WORDS = ['password', 'passwd', 'secret', 'token', 'hash', 'credential', 'privatekey', 'apikey', 'cookie', 'csrf'];
// Keys that describe a secret rather than hold it: kept, they are what an auditor needs to see.
const DESCRIPTIVE = new Set([
  'tokenid',
  'tokenprefix',
  'prefix',
  'haspassword',
  'passwordchanged',
  'expiresat',
  'revokedat',
  'hascredentials',
  'credentialschanged',
  'secretchanged',
  'secretsreplaced',
]);

function isSecretKey(key: string): boolean {
  const flat = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (DESCRIPTIVE.has(flat)) return false;
  return SECRET_WORDS.some((word) => flat.includes(word));
}

/**
 * A copy of `value` with every secret-named key's value replaced by {@link REDACTED}, at any depth.
 * Audited routes pass their old and new values through it, so a password, token or credential
 * that reaches a change description never reaches audit_log.
 */
export function redactSecrets(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: JsonValue } = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = isSecretKey(key) && inner !== null ? REDACTED : redactSecrets(inner);
  }
  return out;
}
