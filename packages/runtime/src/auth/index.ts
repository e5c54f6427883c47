export { AuthError, type AuthErrorCode } from './auth-error.js';
export { generateToken, hashToken, parseToken, type GeneratedToken } from './tokens.js';
export { createTokenVerifier, type TokenPrincipal, type TokenVerifier, type TokenVerifierOptions } from './token-verifier.js';
export { requireToken, principalOf, tokenAuthPlugin, type RequireTokenOptions } from './require-token.js';
