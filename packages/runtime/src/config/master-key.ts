/** One AES-256 key of the master keyring; `kid` is stored beside each ciphertext for rotation. */
export interface MasterKey {
  kid: string;
  key: Buffer;
}

const KID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Parses `DG_MASTER_KEY` (`kid:base64(32 bytes)[,kid:base64(32 bytes)…]`). The first key encrypts;
 * every key decrypts. Returns an error message instead of throwing so the config schema can
 * report it; the message never contains key material.
 */
export function parseMasterKeys(value: string): MasterKey[] | string {
  const keys: MasterKey[] = [];
  for (const [index, part] of value.split(',').entries()) {
    const colon = part.indexOf(':');
    const kid = colon > 0 ? part.slice(0, colon).trim() : '';
    const encoded = colon > 0 ? part.slice(colon + 1).trim() : '';
    if (!KID.test(kid)) return `key ${index + 1}: expected "kid:base64key" with kid of letters, digits, _ or -`;
    if (!BASE64.test(encoded)) return `key "${kid}": not base64`;
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32) return `key "${kid}": expected 32 bytes, got ${key.length}`;
    if (keys.some((k) => k.kid === kid)) return `key "${kid}": duplicate kid`;
    keys.push({ kid, key });
  }
  return keys;
}
