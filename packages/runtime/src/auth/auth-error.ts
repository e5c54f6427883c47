import { ProblemError } from '../errors.js';

export type AuthErrorCode =
  | 'missing_token'
  | 'invalid_token'
  | 'expired_token'
  | 'revoked_token'
  | 'invalid_session'
  | 'expired_session'
  | 'revoked_session'
  | 'invalid_credentials'
  | 'csrf_rejected'
  | 'forbidden';

/**
 * A request that did not prove who it is (401 Unauthorized) or may not do what it asks (403
 * Forbidden). Messages are safe to show to the caller: they never contain the token.
 */
export class AuthError extends ProblemError {
  override readonly name = 'AuthError';
  declare readonly code: AuthErrorCode;

  constructor(code: AuthErrorCode, message?: string, options?: ErrorOptions) {
    super(code === 'forbidden' || code === 'csrf_rejected' ? 403 : 401, code, message ?? DEFAULT_MESSAGES[code], options);
  }
}

const DEFAULT_MESSAGES: Record<AuthErrorCode, string> = {
  missing_token: 'an "Authorization: Bearer <token>" header or a session cookie is required',
  invalid_token: 'the token is not valid',
  expired_token: 'the token has expired',
  revoked_token: 'the token has been revoked',
  invalid_session: 'the session is not valid; sign in again',
  expired_session: 'the session has expired; sign in again',
  revoked_session: 'the session has ended; sign in again',
  invalid_credentials: 'the email or password is wrong',
  csrf_rejected: "a cookie-authenticated write needs the session's X-CSRF-Token header and a same-origin request",
  forbidden: 'the token may not perform this action',
};
