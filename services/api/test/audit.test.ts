import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startApi, type Answer, type ApiHarness } from './identity.harness.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApi('api_audit');
});
afterAll(async () => h?.stop());

const UA = 'audit-test/1.0 (probe, "quoted")';

/** Runs one mutation and returns its answer and the audit rows it added (in A). */
async function mutation(run: () => Promise<Answer>) {
  const before = await h.auditRows(h.a.id);
  const answer = await run();
  const after = await h.auditRows(h.a.id);
  const seen = new Set(before.map((r) => String(r.id)));
  return { answer, rows: after.filter((r) => !seen.has(String(r.id))) };
}

const admin = () => ({ token: h.a.tokens.admin.token, headers: { 'user-agent': UA } });

describe('every mutation leaves exactly one audit row, in its transaction, with old and new values', () => {
  let tokenId: number;
  let userId: number;

  it('token created', async () => {
    const { answer, rows } = await mutation(() =>
      h.call('POST', '/v1/tokens', { ...admin(), body: { name: 'deploy', role: 'engineer', expiresIn: 'never' } }),
    );
    expect(answer.status).toBe(201);
    tokenId = answer.body.id;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'api_token.created',
      resource_type: 'api_token',
      resource_id: tokenId,
      organization_id: h.a.id,
      user_id: null,
      session_id: `token:${h.a.tokens.admin.id}`,
      ip_address: '127.0.0.1',
      user_agent: UA,
      success: true,
      error_message: null,
      old_values: null,
      new_values: {
        name: 'deploy',
        prefix: answer.body.prefix,
        role: 'engineer',
        environmentId: null,
        expiresAt: null,
        revokedAt: null,
      },
    });
    expect(JSON.stringify(rows[0])).not.toContain(answer.body.token.slice(12));
  });

  it('token revoked', async () => {
    const { answer, rows } = await mutation(() => h.call('DELETE', `/v1/tokens/${tokenId}`, admin()));
    expect(answer.status).toBe(200);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'api_token.revoked', resource_id: tokenId, success: true });
    expect(rows[0].old_values).toMatchObject({ name: 'deploy', revokedAt: null });
    expect(rows[0].new_values).toMatchObject({ name: 'deploy', revokedAt: answer.body.revokedAt });
  });

  it('user created, with the password never recorded', async () => {
    const { answer, rows } = await mutation(() =>
      h.call('POST', '/v1/users', {
        ...admin(),
        body: { email: 'New.Person@a.example', role: 'engineer', password: PASSWORD, displayName: 'New Person' },
      }),
    );
    expect(answer.status).toBe(201);
    userId = answer.body.id;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'user.created',
      resource_type: 'user',
      resource_id: userId,
      old_values: null,
      new_values: {
        email: 'new.person@a.example',
        displayName: 'New Person',
        role: 'engineer',
        isActive: true,
        hasPassword: true,
        oidcLinked: false,
      },
    });
    expect(JSON.stringify(rows)).not.toContain(PASSWORD);
    expect(JSON.stringify(rows)).not.toContain('argon2');
  });

  it('user changed: old and new role; a new password shows only as changed', async () => {
    const { answer, rows } = await mutation(() =>
      h.call('PATCH', `/v1/users/${userId}`, { ...admin(), body: { role: 'admin', password: 'a brand new password' } }),
    );
    expect(answer.status).toBe(200);
    expect(rows).toHaveLength(1);
    expect(rows[0].old_values).toMatchObject({ role: 'engineer' });
    expect(rows[0].new_values).toMatchObject({ role: 'admin', passwordChanged: true, sessionsEnded: 0 });
    expect(JSON.stringify(rows)).not.toContain('a brand new password');
  });

  it('sign-in, logout and an administrator revoking a session, each with the user and session recorded', async () => {
    const login = await mutation(() =>
      h.call('POST', '/v1/auth/login', { body: { email: 'new.person@a.example', password: 'a brand new password' } }),
    );
    expect(login.answer.status).toBe(200);
    expect(login.rows).toHaveLength(1);
    const sessionId = login.rows[0].session_id as string;
    expect(sessionId).toMatch(/^[0-9a-f]{64}$/);
    expect(login.rows[0]).toMatchObject({ action: 'user_session.created', user_id: userId, resource_id: userId, success: true });
    expect(login.rows[0].new_values).toMatchObject({ method: 'password' });

    const cookie = login.answer.headers.getSetCookie()[0]!.split(';')[0]!.split('=')[1]!;
    const logout = await mutation(() =>
      h.call('POST', '/v1/auth/logout', { session: cookie, csrf: login.answer.body.csrfToken }),
    );
    expect(logout.rows).toHaveLength(1);
    expect(logout.rows[0]).toMatchObject({ action: 'user_session.ended', user_id: userId, session_id: sessionId });
    expect(logout.rows[0].old_values).toMatchObject({ active: true, revokedAt: null });
    expect(logout.rows[0].new_values).toMatchObject({ active: false, sessionId });

    const other = await h.login(h.a.users.viewer.email);
    const otherId = (
      await h.db
        .selectFrom('user_sessions')
        .select('id')
        .where('user_id', '=', h.a.users.viewer.id)
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow()
    ).id;
    const revoked = await mutation(() => h.call('DELETE', `/v1/sessions/${otherId}`, admin()));
    expect(revoked.answer.status).toBe(200);
    expect(revoked.rows).toHaveLength(1);
    expect(revoked.rows[0]).toMatchObject({
      action: 'user_session.revoked',
      resource_id: h.a.users.viewer.id,
      session_id: `token:${h.a.tokens.admin.id}`,
    });
    expect((await h.call('GET', '/v1/whoami', { session: other.session })).status).toBe(401);
  });

  it('a failed mutation changes nothing and leaves one audit row of its error', async () => {
    const missing = await mutation(() => h.call('DELETE', '/v1/tokens/987654', admin()));
    expect(missing.answer.status).toBe(404);
    expect(missing.rows).toHaveLength(1);
    expect(missing.rows[0]).toMatchObject({
      action: 'api_token.revoked',
      resource_id: 987654,
      success: false,
      error_message: 'token_not_found: no token 987654 in your organization',
    });

    const users = await h.db.selectFrom('users').select('id').where('organization_id', '=', h.a.id).execute();
    const duplicate = await mutation(() =>
      h.call('POST', '/v1/users', { ...admin(), body: { email: 'new.person@a.example', password: 'duplicate password!' } }),
    );
    expect(duplicate.answer.status).toBe(409);
    expect(duplicate.rows).toHaveLength(1);
    expect(duplicate.rows[0]).toMatchObject({ action: 'user.created', success: false, resource_id: 0 });
    expect(duplicate.rows[0].new_values).toEqual({ email: 'new.person@a.example', role: 'viewer', displayName: null });
    expect(JSON.stringify(duplicate.rows)).not.toContain('duplicate password!');
    expect(await h.db.selectFrom('users').select('id').where('organization_id', '=', h.a.id).execute()).toHaveLength(
      users.length,
    );
  });

  it('an attempt refused for its role leaves one failure row naming the caller', async () => {
    const target = await h.call('POST', '/v1/tokens', { ...admin(), body: { role: 'viewer', name: 'target' } });
    const { answer, rows } = await mutation(() =>
      h.call('DELETE', `/v1/tokens/${target.body.id}`, { token: h.a.tokens.viewer.token }),
    );
    expect(answer.status).toBe(403);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'api_token.revoked',
      resource_type: 'api_token',
      resource_id: target.body.id,
      session_id: `token:${h.a.tokens.viewer.id}`,
      success: false,
      error_message: 'refused with 403',
    });
    const viewer = await h.login(h.a.users.viewer.email);
    const bySession = await mutation(() => h.call('POST', '/v1/users', { ...viewer, body: { email: 'nope@a.example' } }));
    expect(bySession.answer.status).toBe(403);
    expect(bySession.rows).toHaveLength(1);
    expect(bySession.rows[0]).toMatchObject({ action: 'user.created', user_id: h.a.users.viewer.id, success: false });
    // No credential: no organization to file it under.
    const anonymous = await mutation(() => h.call('DELETE', `/v1/tokens/${target.body.id}`));
    expect([anonymous.answer.status, anonymous.rows]).toEqual([401, []]);
  });

  it('reads leave no audit rows', async () => {
    const { rows } = await mutation(async () => {
      for (const path of ['/v1/tokens', '/v1/users', '/v1/sessions', '/v1/audit', '/v1/whoami'])
        await h.call('GET', path, admin());
      return h.call('GET', '/v1/audit/export', admin());
    });
    expect(rows).toEqual([]);
  });
});

describe('querying and exporting the audit log', () => {
  it('pages newest first with a cursor: no row twice, none missed', async () => {
    for (let i = 0; i < 7; i++) await h.call('POST', '/v1/tokens', { ...admin(), body: { role: 'viewer', name: `page-${i}` } });
    const all = (await h.auditRows(h.a.id)).filter((r) => r.action === 'api_token.created');
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/v1/audit?action=api_token.created&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await h.call('GET', query, admin());
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items.map((e: { id: string }) => e.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(seen).toEqual(all.map((r) => String(r.id)).reverse());
    expect(pages).toBe(Math.ceil(all.length / 3));
  });

  it('filters by outcome, actor and resource, and shows the actor', async () => {
    const failures = await h.call('GET', '/v1/audit?success=false', admin());
    expect(failures.body.items.length).toBeGreaterThanOrEqual(2);
    expect(failures.body.items.every((e: { success: boolean }) => !e.success)).toBe(true);

    const byToken = await h.call('GET', `/v1/audit?tokenId=${h.a.tokens.admin.id}&limit=500`, admin());
    expect(byToken.body.items.length).toBeGreaterThan(0);
    expect(
      byToken.body.items.every(
        (e: { actor: unknown }) => JSON.stringify(e.actor) === JSON.stringify({ kind: 'token', tokenId: h.a.tokens.admin.id }),
      ),
    ).toBe(true);

    const since = await h.call(
      'GET',
      `/v1/audit?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      admin(),
    );
    expect(since.body.items).toEqual([]);
    const bad = await h.call('GET', '/v1/audit?cursor=garbage', admin());
    expect([bad.status, bad.body.code]).toEqual([400, 'invalid_input']);
  });

  it('exports JSON lines and CSV with every matching row', async () => {
    const rows = (await h.auditRows(h.a.id)).filter((r) => r.success !== false);
    const jsonl = await h.call('GET', '/v1/audit/export?format=jsonl&success=true', admin());
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get('content-type')).toContain('application/x-ndjson');
    const entries = jsonl.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(entries.map((e) => e.id)).toEqual(rows.map((r) => String(r.id)).reverse());

    const csv = await h.call('GET', '/v1/audit/export?format=csv&action=api_token.created', admin());
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toContain('audit.csv');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe(
      'id,timestamp,actor_kind,actor_id,session_id,action,resource_type,resource_id,success,error_message,ip_address,user_agent,old_values,new_values',
    );
    const created = rows.filter((r) => r.action === 'api_token.created');
    expect(lines).toHaveLength(created.length + 1);
    // RFC 4180 quoting: the user agent's comma and quotes survive.
    expect(lines[1]).toContain('"audit-test/1.0 (probe, ""quoted"")"');
    expect(lines[1]!.startsWith(`${String(created.at(-1)!.id)},`)).toBe(true);
  });

  it('neutralizes spreadsheet formulas in CSV and keeps JSON lines exact', async () => {
    const hostile = '=HYPERLINK("http://evil.example","x")';
    await h.call('POST', '/v1/tokens', {
      token: h.a.tokens.admin.token,
      headers: { 'user-agent': hostile },
      body: { role: 'viewer', name: 'formula' },
    });
    const csv = await h.call('GET', '/v1/audit/export?format=csv&action=api_token.created', admin());
    const newest = csv.text.split('\n')[1]!;
    expect(newest).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    const jsonl = await h.call('GET', '/v1/audit/export?format=jsonl&action=api_token.created', admin());
    expect(JSON.parse(jsonl.text.split('\n')[0]!).userAgent).toBe(hostile);
  });
});
