import { decryptSecret, encryptSecret, type Keyring } from './secrets.js';

/** Where sealed secret fields sit inside `notification_channels.configuration`. */
export const SEALED_FIELDS_KEY = '$sealed';

/** What binds a sealed field to its channel: moving the ciphertext to another channel or field fails authentication. */
function contextOf(organizationId: number, channelName: string, field: string): string {
  return `notification_channels.configuration:${organizationId}:${channelName}:${field}`;
}

/**
 * The stored form of a channel configuration: fields named in `secretFields` are encrypted
 * (AES-256-GCM, base64) under `$sealed`, the rest kept as given.
 */
export function sealChannelConfiguration(
  config: Readonly<Record<string, unknown>>,
  secretFields: readonly string[],
  keyring: Keyring,
  owner: { organizationId: number; channelName: string },
): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  const sealed: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (secretFields.includes(key) && value !== undefined) {
      const text = JSON.stringify(value);
      sealed[key] = encryptSecret(text, keyring, contextOf(owner.organizationId, owner.channelName, key)).toString('base64');
    } else plain[key] = value;
  }
  return { ...plain, [SEALED_FIELDS_KEY]: sealed };
}

/** The configuration as the adapter takes it, secrets decrypted (never log or return it). */
export function openChannelConfiguration(
  stored: unknown,
  keyring: Keyring | undefined,
  owner: { organizationId: number; channelName: string },
): Record<string, unknown> {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stored)) {
    if (key !== SEALED_FIELDS_KEY) out[key] = value;
  }
  const sealed: unknown = Object.getOwnPropertyDescriptor(stored, SEALED_FIELDS_KEY)?.value;
  if (typeof sealed !== 'object' || sealed === null) return out;
  for (const [key, value] of Object.entries(sealed)) {
    if (typeof value !== 'string') continue;
    if (!keyring) throw new Error(`channel ${owner.channelName} has sealed fields but DG_MASTER_KEY is not set`);
    const text = decryptSecret(Buffer.from(value, 'base64'), keyring, contextOf(owner.organizationId, owner.channelName, key));
    out[key] = JSON.parse(text) as unknown;
  }
  return out;
}

/** The configuration as it may be shown: sealed fields named, never their values. */
export function redactedChannelConfiguration(stored: unknown): Record<string, unknown> {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return {};
  const out: Record<string, unknown> = {};
  const entries: [string, unknown][] = Object.entries(stored);
  for (const [key, value] of entries) {
    if (key !== SEALED_FIELDS_KEY) out[key] = value;
    else if (typeof value === 'object' && value !== null) for (const field of Object.keys(value)) out[field] = '(secret)';
  }
  return out;
}
