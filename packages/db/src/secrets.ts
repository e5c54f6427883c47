import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { SecretError } from './errors.js';

const FORMAT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Key bytes live here, out of reach of the Keyring's own properties (and of any logger). */
const keyBytes = new WeakMap<Keyring, ReadonlyMap<string, Buffer>>();

function keyFor(keyring: Keyring, id: string): Buffer {
  const key = keyBytes.get(keyring)?.get(id);
  if (key === undefined) throw new SecretError('unknown_key', `no key with id ${id} in the keyring`);
  return key;
}

/**
 * AES-256-GCM keys by id; the first is current (used to encrypt), the others only decrypt, so
 * a key can be rotated without re-encrypting at once. Key bytes never show in logs or JSON.
 */
export class Keyring {
  readonly currentKeyId: string;
  readonly keyIds: readonly string[];

  private constructor(keys: ReadonlyMap<string, Buffer>, currentKeyId: string) {
    this.currentKeyId = currentKeyId;
    this.keyIds = [...keys.keys()];
    keyBytes.set(this, keys);
  }

  /** Parses `DG_MASTER_KEY`: `kid1:base64key[,kid2:base64key...]`, 32-byte keys, first = current. */
  static parse(value: string): Keyring {
    const keys = new Map<string, Buffer>();
    for (const [index, entry] of value.split(',').entries()) {
      const separator = entry.indexOf(':');
      const id = entry.slice(0, separator).trim();
      const encoded = entry.slice(separator + 1).trim();
      const where = `DG_MASTER_KEY entry ${index + 1}`;
      if (separator < 0 || !KEY_ID.test(id)) throw new SecretError('invalid_keyring', `${where}: expected <key id>:<base64 key>`);
      if (keys.has(id)) throw new SecretError('invalid_keyring', `${where}: duplicate key id ${id}`);
      const key = Buffer.from(encoded, 'base64');
      if (!BASE64.test(encoded) || key.length !== KEY_BYTES) {
        throw new SecretError('invalid_keyring', `${where} (${id}): key must be ${KEY_BYTES} bytes of base64`);
      }
      keys.set(id, key);
    }
    const [currentKeyId] = keys.keys();
    if (currentKeyId === undefined) throw new SecretError('invalid_keyring', 'DG_MASTER_KEY has no keys');
    return new Keyring(keys, currentKeyId);
  }

  toJSON(): string {
    return `Keyring(${this.keyIds.join(', ')})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toJSON();
  }
}

/** Parses a `DG_MASTER_KEY` value; see {@link Keyring.parse}. */
export const parseKeyring = (value: string): Keyring => Keyring.parse(value);

function header(keyId: string): Buffer {
  const id = Buffer.from(keyId, 'utf8');
  return Buffer.concat([Buffer.from([FORMAT_VERSION, id.length]), id]);
}

/**
 * Encrypts with the keyring's current key. Output bytes: version (1) | key id length (1) |
 * key id | iv (12) | tag (16) | ciphertext. The header is authenticated, and so is `context`
 * when given (e.g. 'iac_repositories.credentials_encrypted:42'), binding the value to its row.
 */
export function encryptSecret(plaintext: string | Uint8Array, keyring: Keyring, context = ''): Buffer {
  const head = header(keyring.currentKeyId);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFor(keyring, keyring.currentKeyId), iv);
  cipher.setAAD(Buffer.concat([head, Buffer.from(context, 'utf8')]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([head, iv, cipher.getAuthTag(), body]);
}

/** The id of the key that encrypted `data` (to find values still under a retired key). */
export function secretKeyId(data: Uint8Array): string {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.length < 2 || bytes[0] !== FORMAT_VERSION) throw new SecretError('malformed_ciphertext', 'unknown secret format');
  const idLength = bytes[1] ?? 0;
  if (bytes.length < 2 + idLength + IV_BYTES + TAG_BYTES) throw new SecretError('malformed_ciphertext', 'secret is truncated');
  return bytes.subarray(2, 2 + idLength).toString('utf8');
}

/** Decrypts encryptSecret output to bytes; throws SecretError when it was tampered with. */
export function decryptSecretBytes(data: Uint8Array, keyring: Keyring, context = ''): Buffer {
  const keyId = secretKeyId(data);
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const ivStart = 2 + Buffer.byteLength(keyId, 'utf8');
  const tagStart = ivStart + IV_BYTES;
  const decipher = createDecipheriv('aes-256-gcm', keyFor(keyring, keyId), bytes.subarray(ivStart, tagStart));
  decipher.setAAD(Buffer.concat([bytes.subarray(0, ivStart), Buffer.from(context, 'utf8')]));
  decipher.setAuthTag(bytes.subarray(tagStart, tagStart + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(tagStart + TAG_BYTES)), decipher.final()]);
  } catch (cause) {
    throw new SecretError('decryption_failed', `secret under key ${keyId} failed authentication`, { cause });
  }
}

/** Decrypts encryptSecret output to a UTF-8 string. */
export function decryptSecret(data: Uint8Array, keyring: Keyring, context = ''): string {
  return decryptSecretBytes(data, keyring, context).toString('utf8');
}

/**
 * A 32-byte key for one purpose (e.g. keyed hashes of sensitive values), derived with HKDF from
 * the current master key, so no further secret needs configuring. It changes when the current
 * key is rotated.
 */
export function deriveKey(keyring: Keyring, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', keyFor(keyring, keyring.currentKeyId), Buffer.alloc(0), `driftguard:${purpose}`, 32));
}
