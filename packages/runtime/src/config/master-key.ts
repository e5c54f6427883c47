const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Checks `DG_MASTER_KEY` (`kid:base64(32 bytes)[,kid:base64(32 bytes)…]`) at start-up with the
 * same rules as `Keyring.parse` in @driftguard/db, which is what turns it into keys; this module
 * stays free of the db package so it can load before instrumentation. Returns what is wrong, or
 * undefined; the message never contains key material.
 */
export function masterKeyProblem(value: string): string | undefined {
  const seen = new Set<string>();
  for (const [index, entry] of value.split(',').entries()) {
    const separator = entry.indexOf(':');
    const kid = separator > 0 ? entry.slice(0, separator).trim() : '';
    const encoded = separator > 0 ? entry.slice(separator + 1).trim() : '';
    if (!KEY_ID.test(kid)) return `key ${index + 1}: expected "<key id>:<base64 key>"`;
    if (seen.has(kid)) return `key "${kid}": duplicate key id`;
    if (!BASE64.test(encoded)) return `key "${kid}": not base64`;
    const length = Buffer.from(encoded, 'base64').length;
    if (length !== 32) return `key "${kid}": expected 32 bytes, got ${length}`;
    seen.add(kid);
  }
  return undefined;
}
