import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieFrom, startApi, type ApiHarness } from './identity.harness.js';

/** A real OpenID Connect provider (oidc-provider, dev interactions) on loopback. */
interface Idp {
  issuer: string;
  server: Server;
}

const ACCOUNTS: Record<string, { email: string; email_verified: boolean }> = {};

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function startIdp(redirectUri: string): Promise<Idp> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'driftguard',
        client_secret: 'driftguard-test-client-secret',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { methods: ['S256'], required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['oidc-test-cookie-key'] },
    async findAccount(_ctx, sub) {
      const account = ACCOUNTS[sub];
      return account ? { accountId: sub, claims: async () => ({ sub, ...account }) } : undefined;
    },
  });
  const handle = provider.callback();
  server.on('request', (req, res) => void handle(req, res));
  return { issuer, server };
}

/** A minimal browser: follows redirects by hand, keeps cookies per origin, submits the provider's forms. */
function browser() {
  const jar = new Map<string, Map<string, string>>();
  const cookiesFor = (url: URL) => jar.get(url.origin) ?? new Map<string, string>();
  async function request(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const target = new URL(url);
    const cookies = cookiesFor(target);
    const headers: Record<string, string> = {};
    if (cookies.size > 0) headers['cookie'] = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(target, { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1);
      const expired = /expires=Thu, 01 Jan 1970/i.test(line) || value === '';
      const mine = jar.get(target.origin) ?? new Map<string, string>();
      if (expired) mine.delete(name);
      else mine.set(name, value);
      jar.set(target.origin, mine);
    }
    const location = res.headers.get('location');
    return { res, location: location === null ? null : new URL(location, target).href, text: await res.text() };
  }
  return {
    request,
    cookie: (origin: string, name: string) => jar.get(origin)?.get(name),
    /** Follows redirects until one leaves `stopAt`'s origin path prefix or none is left. */
    async follow(url: string, stopAt: (u: string) => boolean) {
      let current = await request(url);
      for (let hops = 0; current.location && !stopAt(current.location) && hops < 10; hops++)
        current = await request(current.location);
      return current;
    },
  };
}

let h: ApiHarness;
let idp: Idp;

beforeAll(async () => {
  const apiPort = await freePort();
  const redirectUri = `http://127.0.0.1:${apiPort}/v1/auth/oidc/callback`;
  idp = await startIdp(redirectUri);
  h = await startApi('api_oidc', {
    PORT: String(apiPort),
    DG_OIDC_ISSUER: idp.issuer,
    DG_OIDC_CLIENT_ID: 'driftguard',
    DG_OIDC_CLIENT_SECRET: 'driftguard-test-client-secret',
    DG_OIDC_REDIRECT_URI: redirectUri,
    DG_OIDC_AFTER_LOGIN_URL: '/console',
  });
});
afterAll(async () => {
  await h?.stop();
  await new Promise((resolve) => idp?.server.close(resolve));
});

/** Signs in at the provider as `sub` and returns the api callback's answer. */
async function signIn(sub: string) {
  const b = browser();
  const start = await b.request(`${h.url}/v1/auth/oidc/login`);
  expect(start.res.status).toBe(302);
  const authUrl = new URL(start.location!);
  expect(authUrl.origin).toBe(idp.issuer);
  expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authUrl.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(authUrl.searchParams.get('state')).toBeTruthy();
  expect(authUrl.searchParams.get('nonce')).toBeTruthy();

  const toCallback = (u: string) => u.startsWith(`${h.url}/`);
  let step = await b.follow(start.location!, (u) => u.includes('/interaction/') || toCallback(u));
  for (let rounds = 0; step.location && !toCallback(step.location) && rounds < 4; rounds++) {
    const page = await b.request(step.location);
    const prompt = /name="prompt" value="(\w+)"/.exec(page.text)?.[1];
    const form: Record<string, string> =
      prompt === 'login' ? { prompt, login: sub, password: 'any' } : { prompt: prompt ?? 'consent' };
    const submitted = await b.request(step.location, { method: 'POST', form });
    step = await b.follow(submitted.location!, (u) => u.includes('/interaction/') || toCallback(u));
  }
  expect(step.location).toContain('/v1/auth/oidc/callback?code=');
  const callback = await b.request(step.location!);
  return { callback, b };
}

describe('OpenID Connect sign-in (authorization code + PKCE) against a real provider', () => {
  it('binds a user by verified email at the first sign-in and starts a session', async () => {
    ACCOUNTS['idp-user-1'] = { email: h.a.users.engineer.email, email_verified: true };
    const { callback } = await signIn('idp-user-1');
    expect(callback.res.status).toBe(303);
    expect(callback.location).toBe(`${h.url}/console`);
    const session = cookieFrom(callback.res.headers, 'dg_session');
    expect(session).toBeDefined();
    const who = await h.call('GET', '/v1/whoami', { session });
    expect(who.body).toMatchObject({ actor: 'user', userId: h.a.users.engineer.id, orgId: h.a.id, role: 'engineer' });

    const user = await h.db.selectFrom('users').selectAll().where('id', '=', h.a.users.engineer.id).executeTakeFirstOrThrow();
    expect({ issuer: user.oidc_issuer, subject: user.oidc_subject }).toEqual({ issuer: idp.issuer, subject: 'idp-user-1' });
    const audit = (await h.auditRows(h.a.id)).filter((r) => r.action === 'user_session.created' && r.user_id === user.id);
    expect(audit).toHaveLength(1);
    expect(audit[0].new_values).toMatchObject({ method: 'oidc', bound: { issuer: idp.issuer, subject: 'idp-user-1' } });
  });

  it('signs the bound identity in again even after its email changed at the provider', async () => {
    ACCOUNTS['idp-user-1'] = { email: 'renamed@elsewhere.example', email_verified: true };
    const { callback } = await signIn('idp-user-1');
    expect(callback.res.status).toBe(303);
    const who = await h.call('GET', '/v1/whoami', { session: cookieFrom(callback.res.headers, 'dg_session') });
    expect(who.body.userId).toBe(h.a.users.engineer.id);
  });

  it('refuses an identity whose email is unverified or unknown, and starts no session', async () => {
    ACCOUNTS['idp-user-2'] = { email: h.a.users.viewer.email, email_verified: false };
    ACCOUNTS['idp-user-3'] = { email: 'stranger@nowhere.example', email_verified: true };
    for (const sub of ['idp-user-2', 'idp-user-3']) {
      const { callback } = await signIn(sub);
      expect(callback.res.status).toBe(403);
      expect(cookieFrom(callback.res.headers, 'dg_session')).toBeUndefined();
    }
    const viewer = await h.db
      .selectFrom('users')
      .select('oidc_subject')
      .where('id', '=', h.a.users.viewer.id)
      .executeTakeFirstOrThrow();
    expect(viewer.oidc_subject).toBeNull();
  });

  it('refuses a callback without the flow cookie it started with (state bound to the browser)', async () => {
    ACCOUNTS['idp-user-4'] = { email: h.a.users.admin.email, email_verified: true };
    const b = browser();
    const start = await b.request(`${h.url}/v1/auth/oidc/login`);
    // Another browser (no flow cookie) presented with a code from this flow.
    const stranger = await fetch(
      `${h.url}/v1/auth/oidc/callback?code=abc&state=${new URL(start.location!).searchParams.get('state')}`,
      {
        redirect: 'manual',
      },
    );
    expect(stranger.status).toBe(401);
    expect(stranger.headers.getSetCookie().some((c) => c.startsWith('dg_session='))).toBe(false);
  });
});
