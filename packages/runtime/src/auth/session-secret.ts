import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** `dgs_<secret>`: the value of the session cookie; the database keeps only its sha256. */
const SESSION_FORMAT = /^dgs_[A-Za-z0-9_-]{43}$/;

/** The session cookie's name. httpOnly, SameSite=Lax, Secure unless configured otherwise. */
export const SESSION_COOKIE = 'dg_session';
/** The header a cookie-authenticated write must carry (double-submit: the value comes from the login answer). */
export const CSRF_HEADER = 'x-csrf-token';

export interface GeneratedSession {
  /** The cookie's value, given to the browser once and never stored. */
  secret: string;
  /** `user_sessions.id`: sha256 of the secret, hex. */
  id: string;
  /** What the console sends back in `X-CSRF-Token` on every write. */
  csrfToken: string;
}

/** A new session secret (256 bits) with its stored id and its CSRF token. */
export function generateSession(): GeneratedSession {
  const secret = `dgs_${randomBytes(32).toString('base64url')}`;
  return { secret, id: sessionIdOf(secret), csrfToken: csrfTokenFor(secret) };
}

/** True when `value` is shaped like a session secret. */
export function isSessionSecret(value: string): boolean {
  return SESSION_FORMAT.test(value);
}

/** `user_sessions.id` of a session secret: reading the table never yields a usable cookie. */
export function sessionIdOf(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * The CSRF token bound to a session: an HMAC keyed by the session's secret, so only who can read
 * the login answer (not a page on another origin that can merely make the browser send the
 * cookie) can produce it, and nothing needs storing.
 */
export function csrfTokenFor(secret: string): string {
  return createHmac('sha256', secret).update('driftguard-csrf-v1').digest('base64url');
}

/** Constant-time check of a presented CSRF token against the session's. */
export function csrfTokenMatches(secret: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const expected = Buffer.from(csrfTokenFor(secret));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
