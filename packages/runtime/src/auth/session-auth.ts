import fastifyCookie from '@fastify/cookie';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { SessionVerifier } from './session-verifier.js';

/** What `requireToken` needs to accept a session cookie in place of a bearer token. */
export interface SessionAuth {
  verifier: SessionVerifier;
  /**
   * Origins (`https://console.example.com`) a cookie-authenticated write may come from. A write
   * whose `Origin` header names another is refused even with the right CSRF token. Empty: the
   * request's own host (`Host` header, either scheme) only.
   */
  allowedOrigins: readonly string[];
  /** Key of signed cookies (`reply.setCookie(…, { signed: true })`), e.g. short-lived sign-in state. */
  cookieSecret?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Present in scopes that registered `sessionAuthPlugin` (the api); absent elsewhere: cookies are ignored. */
    sessionAuth?: SessionAuth;
  }
}

const registerSessionAuth: FastifyPluginAsync<SessionAuth> = async (app, options) => {
  await app.register(fastifyCookie, options.cookieSecret === undefined ? {} : { secret: options.cookieSecret });
  app.decorate('sessionAuth', options);
};

/**
 * Lets `requireToken` accept the console's session cookie on the routes of the scope it is
 * registered in (besides bearer tokens), with CSRF checks on writes.
 */
export const sessionAuthPlugin = fp(registerSessionAuth, { name: 'driftguard-session-auth', fastify: '5.x' });
