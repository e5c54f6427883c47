export type AuthErrorCode = 'missing_token' | 'invalid_token' | 'expired_token' | 'revoked_token' | 'forbidden';

/**
 * A request that did not prove who it is (401) or may not do what it asks (403). Messages are
 * safe to show to the caller: they never contain the token.
 */
export class AuthError extends Error {
  override readonly name = 'AuthError';

  constructor(
    readonly code: AuthErrorCode,
    message?: string,
    options?: ErrorOptions,
  ) {
    super(message ?? DEFAULT_MESSAGES[code], options);
  }

  get status(): 401 | 403 {
    return this.code === 'forbidden' ? 403 : 401;
  }
}

const DEFAULT_MESSAGES: Record<AuthErrorCode, string> = {
  missing_token: 'an "Authorization: Bearer <token>" header is required',
  invalid_token: 'the token is not valid',
  expired_token: 'the token has expired',
  revoked_token: 'the token has been revoked',
  forbidden: 'the token may not perform this action',
};
