import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from './identity.harness.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApi('api_tokens');
});
afterAll(async () => h?.stop());

describe('API tokens', () => {
  it('shows a created token once, stores only its sha256, and the token works at once', async () => {
    const created = await h.call('POST', '/v1/tokens', {
      token: h.a.tokens.admin.token,
      body: { name: 'ci', role: 'scanner', environment: 'prod', expiresIn: '30d' },
    });
    expect(created.status).toBe(201);
    const { token, id, prefix, role, environmentId, expiresAt } = created.body;
    expect(token).toMatch(/^dg_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect({ prefix, role, environmentId }).toEqual({ prefix: token.slice(3, 11), role: 'scanner', environmentId: h.a.envId });
    expect(new Date(expiresAt).getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const row = await h.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.organization_id).toBe(h.a.id);
    expect(Buffer.from(row.token_hash).equals(createHash('sha256').update(token.slice(12)).digest())).toBe(true);

    const listed = await h.call('GET', '/v1/tokens', { token: h.a.tokens.admin.token });
    expect(listed.status).toBe(200);
    const mine = listed.body.items.find((t: { id: number }) => t.id === id);
    expect(mine).toMatchObject({ id, name: 'ci', prefix, role: 'scanner', revokedAt: null });
    expect(JSON.stringify(listed.body)).not.toContain(token.slice(12));
    expect(Object.keys(mine)).not.toContain('token');

    const who = await h.call('GET', '/v1/whoami', { token });
    expect(who.body).toEqual({ actor: 'token', tokenId: id, userId: null, orgId: h.a.id, envId: h.a.envId, role: 'scanner' });
  });

  it('refuses a revoked token from the moment it is revoked', async () => {
    const created = await h.call('POST', '/v1/tokens', { token: h.a.tokens.admin.token, body: { role: 'viewer' } });
    expect((await h.call('GET', '/v1/whoami', { token: created.body.token })).status).toBe(200);
    const revoked = await h.call('DELETE', `/v1/tokens/${created.body.id}`, { token: h.a.tokens.admin.token });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    const refused = await h.call('GET', '/v1/whoami', { token: created.body.token });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('revoked_token');
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
  });

  it('refuses an expired token', async () => {
    const created = await h.call('POST', '/v1/tokens', {
      token: h.a.tokens.admin.token,
      body: { role: 'viewer', expiresIn: '1m' },
    });
    await h.db
      .updateTable('api_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', created.body.id)
      .execute();
    const refused = await h.call('GET', '/v1/whoami', { token: created.body.token });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('expired_token');
  });

  it('answers 404 for an environment the organization does not have, and creates nothing', async () => {
    const before = await h.db.selectFrom('api_tokens').select('id').execute();
    const r = await h.call('POST', '/v1/tokens', {
      token: h.a.tokens.admin.token,
      body: { role: 'scanner', environment: 'nope' },
    });
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('environment_not_found');
    expect(await h.db.selectFrom('api_tokens').select('id').execute()).toHaveLength(before.length);
  });

  it('validates the body with a problem naming the field', async () => {
    const r = await h.call('POST', '/v1/tokens', { token: h.a.tokens.admin.token, body: { role: 'root' } });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('the OpenAPI document', () => {
  it('describes every identity and audit route with its security schemes and problem answers', async () => {
    const doc = (await h.call('GET', '/openapi.json')).body;
    expect(doc.components.securitySchemes.session).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'dg_session' });
    const expected: Array<[string, string, string]> = [
      ['/v1/tokens', 'post', '201'],
      ['/v1/tokens', 'get', '200'],
      ['/v1/tokens/{id}', 'delete', '200'],
      ['/v1/users', 'post', '201'],
      ['/v1/users', 'get', '200'],
      ['/v1/users/{id}', 'patch', '200'],
      ['/v1/sessions', 'get', '200'],
      ['/v1/sessions/{id}', 'delete', '200'],
      ['/v1/audit', 'get', '200'],
      ['/v1/audit/export', 'get', '200'],
      ['/v1/auth/login', 'post', '200'],
      ['/v1/auth/logout', 'post', '200'],
      ['/v1/auth/session', 'get', '200'],
      ['/v1/auth/oidc/login', 'get', '302'],
      ['/v1/auth/oidc/callback', 'get', '303'],
    ];
    for (const [path, method, success] of expected) {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining([success, '400', '500']));
      expect(operation.responses['500'].content['application/problem+json']).toBeDefined();
    }
    expect(doc.paths['/v1/tokens'].post.security).toEqual([{ bearer: [] }, { session: [] }]);
  });
});
