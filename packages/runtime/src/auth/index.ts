export { AuthError, type AuthErrorCode } from './auth-error.js';
export { generateToken, hashToken, parseToken, type GeneratedToken } from './tokens.js';
export { createTokenVerifier, type TokenPrincipal, type TokenVerifier, type TokenVerifierOptions } from './token-verifier.js';
export {
  createEnvironmentDirectory,
  createTokenAuth,
  type EnvironmentDirectory,
  type EnvironmentRow,
  type TokenAuth,
} from './token-auth.js';
export {
  assertEnvironmentAccess,
  environmentOf,
  principalOf,
  requireToken,
  tokenAuthPlugin,
  type RequestEnvironment,
  type RequireTokenOptions,
  type TokenAuthPluginOptions,
} from './require-token.js';
export type { ActorKind, Principal } from './principal.js';
export {
  CSRF_HEADER,
  SESSION_COOKIE,
  csrfTokenFor,
  csrfTokenMatches,
  generateSession,
  isSessionSecret,
  sessionIdOf,
  type GeneratedSession,
} from './session-secret.js';
export {
  createSessionVerifier,
  type SessionPrincipal,
  type SessionVerifier,
  type SessionVerifierOptions,
} from './session-verifier.js';
export { sessionAuthPlugin, type SessionAuth } from './session-auth.js';
