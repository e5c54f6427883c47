import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SecretError } from './errors.js';
import { decryptSecret, decryptSecretBytes, encryptSecret, parseKeyring, secretKeyId } from './secrets.js';

const key = () => randomBytes(32).toString('base64');

describe('secrets', () => {
  const k1 = key();
  const k2 = key();

  it('round-trips text and bytes through AES-256-GCM', () => {
    const keyring = parseKeyring(`k1:${k1}`);
    const sealed = encryptSecret('xoxb-slack-token', keyring);
    expect(sealed.includes(Buffer.from('xoxb'))).toBe(false);
    expect(decryptSecret(sealed, keyring)).toBe('xoxb-slack-token');
    const bytes = randomBytes(100);
    expect(decryptSecretBytes(encryptSecret(bytes, keyring), keyring)).toEqual(bytes);
  });

  it('lays out version, key id, iv, tag and ciphertext, with a fresh iv each time', () => {
    const keyring = parseKeyring(`prod-2026:${k1}`);
    const a = encryptSecret('same', keyring);
    const b = encryptSecret('same', keyring);
    expect(a[0]).toBe(1);
    expect(a[1]).toBe('prod-2026'.length);
    expect(a.subarray(2, 11).toString()).toBe('prod-2026');
    expect(a.length).toBe(2 + 9 + 12 + 16 + 4);
    expect(a.equals(b)).toBe(false);
    expect(secretKeyId(a)).toBe('prod-2026');
  });

  it('fails with the wrong key, a tampered byte or another row context', () => {
    const sealed = encryptSecret('secret', parseKeyring(`k1:${k1}`), 'iac_repositories:1');
    expect(() => decryptSecret(sealed, parseKeyring(`k1:${k2}`), 'iac_repositories:1')).toThrow(
      expect.objectContaining({ name: 'SecretError', code: 'decryption_failed' }),
    );
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => decryptSecret(tampered, parseKeyring(`k1:${k1}`), 'iac_repositories:1')).toThrow(SecretError);
    expect(() => decryptSecret(sealed, parseKeyring(`k1:${k1}`), 'iac_repositories:2')).toThrow(SecretError);
    expect(() => decryptSecret(sealed, parseKeyring(`k9:${k1}`))).toThrow(expect.objectContaining({ code: 'unknown_key' }));
  });

  it('keeps decrypting under a retired key after rotation and encrypts under the new one', () => {
    const before = parseKeyring(`old:${k1}`);
    const after = parseKeyring(`new:${k2},old:${k1}`);
    const legacy = encryptSecret('pagerduty-key', before);
    expect(decryptSecret(legacy, after)).toBe('pagerduty-key');
    const fresh = encryptSecret('pagerduty-key', after);
    expect(secretKeyId(fresh)).toBe('new');
    expect(() => decryptSecret(fresh, before)).toThrow(expect.objectContaining({ code: 'unknown_key' }));
  });

  it('rejects malformed keyrings without echoing key material', () => {
    for (const bad of ['', 'nokey', `k1:${k1},k1:${k2}`, 'k1:c2hvcnQ=', `bad id:${k1}`]) {
      expect(() => parseKeyring(bad)).toThrow(expect.objectContaining({ code: 'invalid_keyring' }));
    }
    try {
      parseKeyring('k1:c2hvcnQ=');
    } catch (error) {
      expect(String(error)).not.toContain('c2hvcnQ=');
    }
    const keyring = parseKeyring(`k1:${k1}`);
    expect(inspect(keyring)).not.toContain(k1);
    expect(JSON.stringify({ keyring })).not.toContain(k1);
  });

  it('refuses data that is not a secret of this format', () => {
    expect(() => decryptSecret(Buffer.from('plain text'), parseKeyring(`k1:${k1}`))).toThrow(
      expect.objectContaining({ code: 'malformed_ciphertext' }),
    );
  });
});
