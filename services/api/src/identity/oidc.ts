import * as client from 'openid-client';
import { AuthError } from '@driftguard/runtime';
import { z } from 'zod';

/** The provider and this api's registration there (`DG_OIDC_*`). */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  /** Absent for a public client (PKCE alone). */
  clientSecret?: string | undefined;
  redirectUri: string;
}

/** What the browser keeps between the redirect to the provider and the callback (signed cookie). */
export const OidcFlow = z.object({ state: z.string(), nonce: z.string(), verifier: z.string() });
export type OidcFlow = z.infer<typeof OidcFlow>;

/** Who the provider says signed in. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  /** Only when the provider vouches for it (`email_verified`). */
  verifiedEmail: string | null;
}

export interface OidcLogin {
  /** The provider's authorization URL (code flow, PKCE S256, state and nonce) and the flow to keep. */
  begin(): Promise<{ url: string; flow: OidcFlow }>;
  /** Redeems the callback's code (checking state, nonce and the PKCE verifier) for the identity. */
  complete(callbackQuery: string, flow: OidcFlow): Promise<OidcIdentity>;
}

/**
 * OpenID Connect sign-in with openid-client: discovery once (retried after a failure),
 * authorization code flow with PKCE. A plain-HTTP issuer is accepted only on a loopback address
 * (a provider on the same host in development and tests).
 */
export function createOidcLogin(settings: OidcSettings): OidcLogin {
  let configuration: Promise<client.Configuration> | undefined;
  const discover = () => {
    const issuer = new URL(settings.issuer);
    const loopbackHttp = issuer.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(issuer.hostname);
    const auth = settings.clientSecret === undefined ? client.None() : client.ClientSecretBasic(settings.clientSecret);
    const found = client.discovery(
      issuer,
      settings.clientId,
      undefined,
      auth,
      loopbackHttp ? { execute: [client.allowInsecureRequests] } : {},
    );
    found.catch(() => (configuration = undefined));
    return found;
  };
  const config = () => (configuration ??= discover());

  return {
    async begin() {
      const verifier = client.randomPKCECodeVerifier();
      const flow = { state: client.randomState(), nonce: client.randomNonce(), verifier };
      const url = client.buildAuthorizationUrl(await config(), {
        redirect_uri: settings.redirectUri,
        scope: 'openid email profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: flow.state,
        nonce: flow.nonce,
      });
      return { url: url.href, flow };
    },
    async complete(callbackQuery, flow) {
      const current = new URL(settings.redirectUri);
      current.search = callbackQuery;
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(await config(), current, {
          pkceCodeVerifier: flow.verifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
      } catch (err) {
        throw new AuthError('invalid_credentials', 'the identity provider did not confirm the sign-in', { cause: err });
      }
      const claims = tokens.claims();
      if (!claims) throw new AuthError('invalid_credentials', 'the identity provider sent no ID token');
      // Many providers put profile claims in the UserInfo answer only (the ID token then has `sub` alone).
      const profile: Record<string, unknown> =
        typeof claims['email'] === 'string'
          ? claims
          : await client.fetchUserInfo(await config(), tokens.access_token, claims.sub);
      const email =
        typeof profile['email'] === 'string' && profile['email_verified'] === true ? profile['email'].toLowerCase() : null;
      return { issuer: claims.iss, subject: claims.sub, verifiedEmail: email };
    },
  };
}
