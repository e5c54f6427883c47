/**
 * Which property names hold secrets. A name is split into words (separators and camelCase), and
 * it is a secret name when the words, joined, contain one of SECRET_TERMS — so `DB_PASSWORD`,
 * `secretKey`, `api-key`, `privateKey`, `AccessKeyId` and `masterUserPassword` all match.
 *
 * Rule for false positives (written down so it is applied the same way everywhere): a name whose
 * LAST word is one of DESCRIPTOR_WORDS describes a secret without holding it
 * (`token_expiry_seconds`, `password_length`, `secretName`, `secretKeyRef`, `secret_arn`) and is
 * compared in clear, because hiding it would hide real drift. Everything else that matches is
 * masked, even when debatable: `max_tokens` is masked (safety first; a masked change is still
 * reported as changed, by keyed hash).
 */

/** Substrings of the joined, lower-cased words that make a name secret. */
export const SECRET_TERMS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'credential',
  'privatekey',
  'apikey',
  'accesskey',
  'connectionstring',
] as const;

/** Whole words that are secrets on their own (too short to be safe as substrings). */
const SECRET_WORDS = new Set(['pwd']);

/** A secret name ending in one of these words names a property of the secret, not its value. */
export const DESCRIPTOR_WORDS = new Set([
  'ttl',
  'expiry',
  'expiration',
  'expires',
  'lifetime',
  'validity',
  'seconds',
  'minutes',
  'hours',
  'days',
  'length',
  'policy',
  'policies',
  'enabled',
  'required',
  'ref',
  'refs',
  'name',
  'names',
  'arn',
  'type',
  'version',
  'rotation',
  'count',
]);

/** Splits `DB_PASSWORD`, `secretKey`, `AccessKeyID`, `api-key` into lower-case words. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

const cache = new Map<string, boolean>();

/** True when a property named `name` holds a secret value (see the module comment for the rule). */
export function isSecretName(name: string): boolean {
  let r = cache.get(name);
  if (r === undefined) {
    r = decide(name);
    // Key names repeat across resources; the cache is bounded so hostile input cannot grow it.
    if (cache.size < 10_000) cache.set(name, r);
  }
  return r;
}

function decide(name: string): boolean {
  const words = nameWords(name);
  if (words.length === 0) return false;
  const joined = words.join('');
  const matches = SECRET_TERMS.some((t) => joined.includes(t)) || words.some((w) => SECRET_WORDS.has(w));
  return matches && !DESCRIPTOR_WORDS.has(words[words.length - 1]!);
}
