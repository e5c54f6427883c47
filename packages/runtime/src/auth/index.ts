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
