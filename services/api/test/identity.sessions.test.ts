import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieFrom, PASSWORD, startApi, type ApiHarness } from './identity.harness.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApi('api_sessions', { DG_SESSION_IDLE_MINUTES: '30', DG_SESSION_TTL_MINUTES: '600' });
});
afterAll(async () => h?.stop());

const sessionRow = (secret: string) =>
  h.db
    .selectFrom('user_sessions')
    .selectAll()
    .where('id', '=', (eb) => eb.fn('encode', [eb.fn('sha256', [eb.val(Buffer.from(secret))]), eb.val('hex')]))
    .executeTakeFirstOrThrow();

describe('password sign-in and console sessions', () => {
  it('sets an httpOnly, Secure, SameSite cookie and records IP, user agent and expiry', async () => {
    const answer = await h.call('POST', '/v1/auth/login', {
      body: { email: h.a.users.engineer.email.toUpperCase(), password: PASSWORD },
      headers: { 'user-agent': 'console-test/1.0' },
    });
    expect(answer.status).toBe(200);
    const setCookie = answer.headers.getSetCookie().find((c) => c.startsWith('dg_session='));
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/Secure/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).toMatch(/Max-Age=36000/);
    expect(answer.body).toMatchObject({ userId: h.a.users.engineer.id, orgId: h.a.id, role: 'engineer' });
    const secret = cookieFrom(answer.headers, 'dg_session')!;

    const row = await sessionRow(secret);
    // The database keeps the secret's hash, never the secret.
    expect(row.id).not.toContain(secret);
    expect(row).toMatchObject({
      user_id: h.a.users.engineer.id,
      organization_id: h.a.id,
      ip_address: '127.0.0.1',
      user_agent: 'console-test/1.0',
    });
    expect(new Date(row.expires_at).getTime() - Date.now()).toBeGreaterThan(599 * 60_000);

    const who = await h.call('GET', '/v1/whoami', { session: secret });
    expect(who.body).toEqual({
      actor: 'user',
      tokenId: null,
      userId: h.a.users.engineer.id,
      orgId: h.a.id,
      envId: null,
      role: 'engineer',
    });
    const session = await h.call('GET', '/v1/auth/session', { session: secret });
    expect(session.body.csrfToken).toBe(answer.body.csrfToken);
  });

  it('refuses a wrong password and an unknown email alike, and audits the refusal of a known user', async () => {
    const wrong = await h.call('POST', '/v1/auth/login', {
      body: { email: h.a.users.viewer.email, password: 'not the password' },
    });
    const unknown = await h.call('POST', '/v1/auth/login', { body: { email: 'nobody@nowhere.example', password: PASSWORD } });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.code).toBe('invalid_credentials');
    expect(unknown.body.detail).toBe(wrong.body.detail);
    expect(wrong.headers.getSetCookie().some((c) => c.startsWith('dg_session='))).toBe(false);
    const refusals = (await h.auditRows(h.a.id)).filter((r) => r.success === false && r.user_id === h.a.users.viewer.id);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ action: 'user_session.created', error_message: 'invalid_credentials: wrong password' });
    expect(JSON.stringify(refusals[0])).not.toContain('not the password');
  });

  it('refuses a cookie-authenticated write without the CSRF token, with a wrong one, or from another origin', async () => {
    const { session, csrf } = await h.login(h.a.users.admin.email);
    const body = { role: 'viewer', name: 'csrf-check' };
    const none = await h.call('POST', '/v1/tokens', { session, body });
    const wrong = await h.call('POST', '/v1/tokens', { session, body, csrf: csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) });
    const foreign = await h.call('POST', '/v1/tokens', { session, body, csrf, headers: { origin: 'https://evil.example' } });
    for (const r of [none, wrong, foreign]) {
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('csrf_rejected');
    }
    expect(await h.db.selectFrom('api_tokens').select('id').where('name', '=', 'csrf-check').execute()).toHaveLength(0);

    const sameOrigin = await h.call('POST', '/v1/tokens', { session, body, csrf, headers: { origin: h.url } });
    expect(sameOrigin.status).toBe(201);
    // Reads need no CSRF token; a bearer token needs none either (no ambient credential).
    expect((await h.call('GET', '/v1/tokens', { session })).status).toBe(200);
    expect((await h.call('POST', '/v1/tokens', { token: h.a.tokens.admin.token, body })).status).toBe(201);
  });

  it('logout ends the session: the cookie is cleared and refused from then on', async () => {
    const { session, csrf } = await h.login(h.a.users.viewer.email);
    expect((await h.call('POST', '/v1/auth/logout', { session })).status).toBe(403);
    const out = await h.call('POST', '/v1/auth/logout', { session, csrf });
    expect(out.status).toBe(200);
    expect(out.body.active).toBe(false);
    expect(out.headers.getSetCookie().find((c) => c.startsWith('dg_session='))).toMatch(/Expires=Thu, 01 Jan 1970/);
    const after = await h.call('GET', '/v1/whoami', { session });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('revoked_session');
    const row = await sessionRow(session);
    expect(row.is_active).toBe(false);
    expect(row.revoked_at).not.toBeNull();
  });

  it('ends a session left idle longer than the idle timeout, and one past its absolute expiry', async () => {
    const idle = await h.login(h.a.users.viewer.email);
    const expired = await h.login(h.a.users.viewer.email);
    expect((await h.call('GET', '/v1/whoami', { session: idle.session })).status).toBe(200);
    await h.db
      .updateTable('user_sessions')
      .set({ last_activity: new Date(Date.now() - 31 * 60_000) })
      .where('id', '=', (await sessionRow(idle.session)).id)
      .execute();
    await h.db
      .updateTable('user_sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', (await sessionRow(expired.session)).id)
      .execute();
    const idleAnswer = await h.call('GET', '/v1/whoami', { session: idle.session });
    const expiredAnswer = await h.call('GET', '/v1/whoami', { session: expired.session });
    expect([idleAnswer.status, idleAnswer.body.code]).toEqual([401, 'expired_session']);
    expect([expiredAnswer.status, expiredAnswer.body.code]).toEqual([401, 'expired_session']);
  });

  it('keeps an active session alive: a request records its last activity', async () => {
    const { session } = await h.login(h.a.users.viewer.email);
    const id = (await sessionRow(session)).id;
    const old = new Date(Date.now() - 20 * 60_000);
    await h.db.updateTable('user_sessions').set({ last_activity: old }).where('id', '=', id).execute();
    expect((await h.call('GET', '/v1/whoami', { session })).status).toBe(200);
    const row = await sessionRow(session);
    expect(new Date(row.last_activity!).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('refuses a forged or malformed cookie, and a bearer token wins over a cookie', async () => {
    const forged = await h.call('GET', '/v1/whoami', { session: `dgs_${'A'.repeat(43)}` });
    const malformed = await h.call('GET', '/v1/whoami', { session: 'hello' });
    expect([forged.status, forged.body.code]).toEqual([401, 'invalid_session']);
    expect([malformed.status, malformed.body.code]).toEqual([401, 'invalid_session']);
    const { session } = await h.login(h.a.users.viewer.email);
    const both = await h.call('GET', '/v1/whoami', { session, token: h.a.tokens.engineer.token });
    expect(both.body).toMatchObject({ actor: 'token', role: 'engineer' });
  });

  it('deactivating a user or changing their password ends their sessions', async () => {
    const admin = h.a.tokens.admin.token;
    const created = await h.call('POST', '/v1/users', {
      token: admin,
      body: { email: 'temp@a.example', role: 'engineer', password: PASSWORD },
    });
    expect(created.status).toBe(201);
    const first = await h.login('temp@a.example');
    const changed = await h.call('PATCH', `/v1/users/${created.body.id}`, {
      token: admin,
      body: { password: 'another long password' },
    });
    expect(changed.status).toBe(200);
    expect((await h.call('GET', '/v1/whoami', { session: first.session })).body.code).toBe('revoked_session');
    const second = await h.login('temp@a.example', 'another long password');
    expect((await h.call('PATCH', `/v1/users/${created.body.id}`, { token: admin, body: { isActive: false } })).status).toBe(200);
    expect((await h.call('GET', '/v1/whoami', { session: second.session })).status).toBe(401);
    const again = await h.call('POST', '/v1/auth/login', {
      body: { email: 'temp@a.example', password: 'another long password' },
    });
    expect(again.status).toBe(401);
  });

  it('a role change applies to open sessions at their next request', async () => {
    const { session } = await h.login(h.a.users.viewer.email);
    expect((await h.call('GET', '/v1/tokens', { session })).status).toBe(403);
    await h.call('PATCH', `/v1/users/${h.a.users.viewer.id}`, { token: h.a.tokens.admin.token, body: { role: 'admin' } });
    expect((await h.call('GET', '/v1/tokens', { session })).status).toBe(200);
    await h.call('PATCH', `/v1/users/${h.a.users.viewer.id}`, { token: h.a.tokens.admin.token, body: { role: 'viewer' } });
    expect((await h.call('GET', '/v1/tokens', { session })).status).toBe(403);
  });

  it('stores passwords as Argon2id hashes', async () => {
    const row = await h.db
      .selectFrom('users')
      .select('password_hash')
      .where('email', '=', 'temp@a.example')
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('asks which organization when an email exists in several', async () => {
    const c = await h.createOrg(`c-${Date.now().toString(36)}`);
    await h.db
      .insertInto('users')
      .values({
        organization_id: c.id,
        email: h.a.users.viewer.email,
        role: 'admin',
        password_hash: (
          await h.db.selectFrom('users').select('password_hash').where('id', '=', h.a.users.viewer.id).executeTakeFirstOrThrow()
        ).password_hash,
      })
      .execute();
    const ambiguous = await h.call('POST', '/v1/auth/login', { body: { email: h.a.users.viewer.email, password: PASSWORD } });
    expect([ambiguous.status, ambiguous.body.code]).toEqual([400, 'organization_required']);
    const chosen = await h.login(h.a.users.viewer.email, PASSWORD, c.slug);
    expect(chosen.answer.body).toMatchObject({ orgId: c.id, role: 'admin' });
  });
});
