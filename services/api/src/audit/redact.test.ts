import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it('replaces values under secret-named keys at any depth, in any spelling', () => {
    expect(
      redactSecrets({
        password: 'hunter2hunter2',
        nested: { client_secret: 's3cr3t', list: [{ apiKey: 'k' }, { AccessToken: 't' }] },
        password_hash: '$argon2id$...',
        sessionCookie: 'dgs_x',
        csrfToken: 'c',
      }),
    ).toEqual({
      password: REDACTED,
      nested: { client_secret: REDACTED, list: [{ apiKey: REDACTED }, { AccessToken: REDACTED }] },
      password_hash: REDACTED,
      sessionCookie: REDACTED,
      csrfToken: REDACTED,
    });
  });

  it('keeps what describes a secret without holding it, and ordinary values', () => {
    const values = {
      name: 'ci',
      prefix: 'abcd1234',
      tokenId: 7,
      hasPassword: true,
      passwordChanged: true,
      expiresAt: null,
      role: 'admin',
    };
    expect(redactSecrets(values)).toEqual(values);
  });

  it('keeps null under a secret-named key (it holds nothing) and leaves the input untouched', () => {
    const input = { password: null, token: 'x' };
    expect(redactSecrets(input)).toEqual({ password: null, token: REDACTED });
    expect(input.token).toBe('x');
  });
});
