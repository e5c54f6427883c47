import { ConfigError } from '@driftguard/runtime/boot';
import { describe, expect, it } from 'vitest';
import { loadApiConfig } from '../src/config.js';

describe('api configuration of sessions and OpenID Connect', () => {
  it('defaults to 12-hour sessions, a 30-minute idle timeout and Secure cookies, without OpenID Connect', () => {
    const cfg = loadApiConfig({});
    expect(cfg).toMatchObject({
      DG_SESSION_TTL_MINUTES: 720,
      DG_SESSION_IDLE_MINUTES: 30,
      DG_COOKIE_SECURE: true,
      DG_CONSOLE_ORIGINS: [],
    });
    expect(cfg.DG_OIDC_ISSUER).toBeUndefined();
  });

  it('names each missing OpenID Connect variable when only some are set', () => {
    let error: unknown;
    try {
      loadApiConfig({ DG_OIDC_ISSUER: 'https://id.example.com' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toContain('DG_OIDC_CLIENT_ID');
    expect(String(error)).toContain('DG_OIDC_REDIRECT_URI');
  });

  it('refuses console origins that are not origins and a short cookie secret', () => {
    expect(() => loadApiConfig({ DG_CONSOLE_ORIGINS: 'https://ok.example.com,console.example.com/path' })).toThrow(
      /DG_CONSOLE_ORIGINS/,
    );
    expect(() => loadApiConfig({ DG_COOKIE_SECRET: 'short' })).toThrow(/DG_COOKIE_SECRET/);
    expect(loadApiConfig({ DG_CONSOLE_ORIGINS: ' https://a.example.com , http://localhost:5173' }).DG_CONSOLE_ORIGINS).toEqual([
      'https://a.example.com',
      'http://localhost:5173',
    ]);
  });
});
