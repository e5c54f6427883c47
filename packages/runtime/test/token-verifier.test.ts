import type { Role } from '@driftguard/contracts';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertEnvironmentAccess,
  AuthError,
  createHttpServer,
  createTokenAuth,
  createTokenVerifier,
  environmentOf,
  generateToken,
  hashToken,
  parseToken,
  principalOf,
  requireToken,
  tokenAuthPlugin,
  type AuthErrorCode,
} from '../src/index.js';
import { capturingLogger } from './support.js';

let testDb: TestDatabase;
let orgId: number;
let envId: number;
let otherEnvId: number;

beforeAll(async () => {
  testDb = await createTestDatabase('runtime_tokens');
  const org = await testDb.db
    .insertInto('organizations')
    .values({ name: 'Acme', slug: 'acme' })
    .returning('id')
    .executeTakeFirstOrThrow();
  orgId = org.id;
  const envs = await testDb.db
    .insertInto('environments')
    .values([
      { organization_id: orgId, name: 'prod', slug: 'prod', cloud_provider: 'aws' },
      { organization_id: orgId, name: 'dev', slug: 'dev', cloud_provider: 'aws' },
    ])
    .returning('id')
    .execute();
  envId = envs[0]!.id;
  otherEnvId = envs[1]!.id;
});

afterAll(() => testDb?.destroy());

/** Inserts a token row the way the api does and returns the plaintext. */
async function issue(opts: { role?: Role; envId?: number | null; expiresAt?: Date | null; revokedAt?: Date | null } = {}) {
  const { token, prefix, hash } = generateToken();
  const row = await testDb.db
    .insertInto('api_tokens')
    .values({
      organization_id: orgId,
      environment_id: opts.envId === undefined ? envId : opts.envId,
      name: 'test',
      token_prefix: prefix,
      token_hash: hash,
      role: opts.role ?? 'scanner',
      expires_at: opts.expiresAt ?? null,
      revoked_at: opts.revokedAt ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { token, id: row.id };
}

async function rejection(promise: Promise<unknown>): Promise<AuthErrorCode> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AuthError) return err.code;
    throw err;
  }
  throw new Error('expected an AuthError');
}

describe('tokens', () => {
  it('generates dg_<prefix8>_<secret> tokens whose stored hash is the sha256 of the secret', () => {
    const { token, prefix, hash } = generateToken();
    expect(token).toMatch(/^dg_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    const parts = parseToken(token)!;
    expect(parts.prefix).toBe(prefix);
    expect(hashToken(parts.secret).equals(hash)).toBe(true);
    expect(generateToken().token).not.toBe(token);
  });
});

describe('createTokenVerifier', () => {
  it('accepts a valid environment-scoped token and says who it speaks for', async () => {
    const { token, id } = await issue({ role: 'scanner', expiresAt: new Date(Date.now() + 3_600_000) });
    const principal = await createTokenVerifier(testDb.db).verify(`Bearer ${token}`);
    expect(principal).toEqual({ tokenId: id, orgId, envId, role: 'scanner' });
  });

  it('accepts an organization-wide token with envId null', async () => {
    const { token } = await issue({ role: 'admin', envId: null });
    expect(await createTokenVerifier(testDb.db).verify(`bearer   ${token}`)).toMatchObject({ orgId, envId: null, role: 'admin' });
  });

  it('rejects a missing header or a non-bearer scheme with missing_token', async () => {
    const verifier = createTokenVerifier(testDb.db);
    expect(await rejection(verifier.verify(undefined))).toBe('missing_token');
    expect(await rejection(verifier.verify(''))).toBe('missing_token');
    expect(await rejection(verifier.verify('Basic dXNlcjpwdw=='))).toBe('missing_token');
  });

  it('rejects a malformed token, a wrong secret and a wrong prefix with invalid_token', async () => {
    const verifier = createTokenVerifier(testDb.db);
    const { token } = await issue();
    const { prefix, secret } = parseToken(token)!;
    const otherSecret = parseToken(generateToken().token)!.secret;
    expect(await rejection(verifier.verify('Bearer not-a-token'))).toBe('invalid_token');
    expect(await rejection(verifier.verify(`Bearer dg_${prefix}_${otherSecret}`))).toBe('invalid_token');
    expect(await rejection(verifier.verify(`Bearer dg_zzzzzzzz_${secret}`))).toBe('invalid_token');
  });

  it('rejects an expired token with expired_token and a revoked one with revoked_token', async () => {
    const verifier = createTokenVerifier(testDb.db);
    const expired = await issue({ expiresAt: new Date(Date.now() - 1_000) });
    const revoked = await issue({ revokedAt: new Date(Date.now() - 1_000), expiresAt: new Date(Date.now() - 1_000) });
    expect(await rejection(verifier.verify(`Bearer ${expired.token}`))).toBe('expired_token');
    expect(await rejection(verifier.verify(`Bearer ${revoked.token}`))).toBe('revoked_token');
  });

  it('writes last_used_at at most once per interval', async () => {
    const { token, id } = await issue();
    const lastUsed = async () =>
      (await testDb.db.selectFrom('api_tokens').select('last_used_at').where('id', '=', id).executeTakeFirstOrThrow())
        .last_used_at;
    const verifier = createTokenVerifier(testDb.db);
    expect(await lastUsed()).toBeNull();
    await verifier.verify(`Bearer ${token}`);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await verifier.verify(`Bearer ${token}`);
    expect(await lastUsed()).toEqual(first);

    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await testDb.db.updateTable('api_tokens').set({ last_used_at: twoMinutesAgo }).where('id', '=', id).execute();
    await verifier.verify(`Bearer ${token}`);
    expect((await lastUsed())!.getTime()).toBeGreaterThan(twoMinutesAgo.getTime() + 60_000);
  });
});

describe('requireToken', () => {
  const http = createHttpServer({ log: capturingLogger().log, serviceName: 'test', checks: {} });
  beforeAll(async () => {
    await http.app.register(tokenAuthPlugin, createTokenAuth(testDb.db));
    await testDb.db.insertInto('organizations').values({ name: 'Other', slug: 'other' }).execute();
    const other = await testDb.db.selectFrom('organizations').select('id').where('slug', '=', 'other').executeTakeFirstOrThrow();
    await testDb.db
      .insertInto('environments')
      .values({ organization_id: other.id, name: 'prod', slug: 'prod', cloud_provider: 'aws' })
      .execute();
    http.app.get('/admin', { preHandler: requireToken({ roles: ['admin'] }) }, async (request) => principalOf(request));
    http.app.post(
      '/scans',
      { preHandler: requireToken({ roles: ['scanner', 'admin'], environment: 'query' }) },
      async (request) => environmentOf(request),
    );
    http.app.get<{ Params: { envId: string } }>(
      '/envs/:envId',
      { preHandler: requireToken({ roles: ['scanner'] }) },
      async (request) => {
        assertEnvironmentAccess(principalOf(request), Number(request.params.envId), `environment ${request.params.envId}`);
        return { ok: true };
      },
    );
  });
  afterAll(() => http.close());

  const call = (method: 'GET' | 'POST', url: string, token?: string) =>
    http.app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('lets an allowed role through with its principal on the request', async () => {
    const { token } = await issue({ role: 'admin', envId: null });
    const res = await call('GET', '/admin', token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ orgId, role: 'admin' });
  });

  it('answers 401 problem JSON with the error code for a missing or expired token', async () => {
    const missing = await call('GET', '/admin');
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(missing.headers['www-authenticate']).toBe('Bearer error="invalid_request"');
    expect(missing.json()).toMatchObject({ type: 'https://driftguard.dev/problems/missing-token', status: 401 });
    const { token } = await issue({ role: 'admin', expiresAt: new Date(Date.now() - 1) });
    expect((await call('GET', '/admin', token)).json()).toMatchObject({
      status: 401,
      type: 'https://driftguard.dev/problems/expired-token',
    });
  });

  it('answers 403 for a role not allowed or another environment, 404 for another organization, 400 for an org token naming none', async () => {
    const viewer = await issue({ role: 'viewer', envId: null });
    expect((await call('GET', '/admin', viewer.token)).json()).toMatchObject({
      status: 403,
      type: 'https://driftguard.dev/problems/forbidden',
    });
    const orgWide = await issue({ role: 'scanner', envId: null });
    expect((await call('POST', '/scans', orgWide.token)).json()).toMatchObject({ status: 400, code: 'environment_required' });
    expect((await call('POST', '/scans?env=acme/dev', orgWide.token)).json()).toEqual({ orgId, envId: otherEnvId });
    expect((await call('POST', '/scans?env=other/prod', orgWide.token)).json()).toMatchObject({
      status: 404,
      code: 'environment_not_found',
    });
    const scoped = await issue({ role: 'scanner', envId });
    expect((await call('POST', '/scans', scoped.token)).json()).toEqual({ orgId, envId });
    expect((await call('POST', '/scans?env=acme/prod', scoped.token)).statusCode).toBe(200);
    expect((await call('POST', '/scans?env=acme/dev', scoped.token)).statusCode).toBe(403);
    expect((await call('GET', `/envs/${envId}`, scoped.token)).statusCode).toBe(200);
    expect((await call('GET', `/envs/${otherEnvId}`, scoped.token)).statusCode).toBe(403);
  });
});
