import { randomBytes } from 'node:crypto';
import { deriveKey, Keyring, type Database } from '@driftguard/db';
import { createSessionVerifier, type SessionAuth } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import type { ApiConfig } from '../config.js';
import { createOidcLogin, type OidcLogin } from './oidc.js';
import type { SessionSettings } from './sessions.js';

/** What the identity routes share: the database, session settings, OpenID Connect (when configured). */
export interface IdentityDeps {
  db: Kysely<Database>;
  sessions: SessionSettings;
  /** Null unless `DG_OIDC_ISSUER`, `DG_OIDC_CLIENT_ID` and `DG_OIDC_REDIRECT_URI` are set. */
  oidc: OidcLogin | null;
  afterLoginUrl: string;
  /** For `sessionAuthPlugin`: lets `requireToken` accept the session cookie. */
  sessionAuth: SessionAuth;
}

export function createIdentityDeps(cfg: ApiConfig, db: Kysely<Database>): IdentityDeps {
  const sessions: SessionSettings = {
    ttlMs: cfg.DG_SESSION_TTL_MINUTES * 60_000,
    idleMs: cfg.DG_SESSION_IDLE_MINUTES * 60_000,
    secureCookie: cfg.DG_COOKIE_SECURE,
  };
  const oidc =
    cfg.DG_OIDC_ISSUER && cfg.DG_OIDC_CLIENT_ID && cfg.DG_OIDC_REDIRECT_URI
      ? createOidcLogin({
          issuer: cfg.DG_OIDC_ISSUER,
          clientId: cfg.DG_OIDC_CLIENT_ID,
          clientSecret: cfg.DG_OIDC_CLIENT_SECRET,
          redirectUri: cfg.DG_OIDC_REDIRECT_URI,
        })
      : null;
  return {
    db,
    sessions,
    oidc,
    afterLoginUrl: cfg.DG_OIDC_AFTER_LOGIN_URL,
    sessionAuth: {
      verifier: createSessionVerifier(db, { idleTimeoutMs: sessions.idleMs }),
      allowedOrigins: cfg.DG_CONSOLE_ORIGINS,
      cookieSecret: cookieSecret(cfg),
    },
  };
}

/**
 * Signs the short-lived OpenID Connect flow cookie: `DG_COOKIE_SECRET`, else a key derived from
 * `DG_MASTER_KEY` (the same on every instance), else one per process (a sign-in must then finish
 * on the instance that started it).
 */
function cookieSecret(cfg: ApiConfig): string {
  if (cfg.DG_COOKIE_SECRET) return cfg.DG_COOKIE_SECRET;
  if (cfg.DG_MASTER_KEY) return deriveKey(Keyring.parse(cfg.DG_MASTER_KEY), 'api:cookie-signing').toString('base64url');
  return randomBytes(32).toString('base64url');
}
