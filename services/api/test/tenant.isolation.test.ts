import { createDb, runAsOrg, SERVICE_ROLES } from '@driftguard/db';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness, type CallOptions } from './identity.harness.js';

let h: ApiHarness;
/** B's objects A must never reach. */
let bOnlyEnv: string;
let bSession: { session: string; csrf: string };
let bSessionId: string;

beforeAll(async () => {
  h = await startApi('api_tenant');
  bOnlyEnv = 'b-only';
  await h.db
    .insertInto('environments')
    .values({ organization_id: h.b.id, name: bOnlyEnv, slug: bOnlyEnv, cloud_provider: 'aws' })
    .execute();
  bSession = await h.login(h.b.users.admin.email);
  bSessionId = (
    await h.db.selectFrom('user_sessions').select('id').where('user_id', '=', h.b.users.admin.id).executeTakeFirstOrThrow()
  ).id;
  // Some history of B's in the audit log.
  await h.call('POST', '/v1/tokens', { token: h.b.tokens.admin.token, body: { role: 'viewer', name: 'b-history' } });
});
afterAll(async () => h?.stop());

/** A's admin, once by bearer token and once by console session: the principal shape is the same. */
async function aCallers(): Promise<Array<{ kind: string; auth: CallOptions }>> {
  const s = await h.login(h.a.users.admin.email);
  return [
    { kind: 'token', auth: { token: h.a.tokens.admin.token } },
    { kind: 'session', auth: { session: s.session, csrf: s.csrf } },
  ];
}

async function bStillIntact() {
  const token = await h.db.selectFrom('api_tokens').selectAll().where('id', '=', h.b.tokens.viewer.id).executeTakeFirstOrThrow();
  expect(token.revoked_at).toBeNull();
  const user = await h.db.selectFrom('users').selectAll().where('id', '=', h.b.users.viewer.id).executeTakeFirstOrThrow();
  expect({ role: user.role, active: user.is_active, name: user.display_name }).toEqual({
    role: 'viewer',
    active: true,
    name: null,
  });
  expect((await h.call('GET', '/v1/whoami', { session: bSession.session })).status).toBe(200);
  expect((await h.call('GET', '/v1/whoami', { token: h.b.tokens.viewer.token })).status).toBe(200);
}

describe('tenant isolation through the API: organization A never reaches organization B', () => {
  it('answers 404 to A changing or deleting B objects, and leaves them as they were', async () => {
    for (const { kind, auth } of await aCallers()) {
      const attempts = [
        await h.call('DELETE', `/v1/tokens/${h.b.tokens.viewer.id}`, auth),
        await h.call('PATCH', `/v1/users/${h.b.users.viewer.id}`, { ...auth, body: { role: 'admin', displayName: 'pwned' } }),
        await h.call('PATCH', `/v1/users/${h.b.users.viewer.id}`, { ...auth, body: { isActive: false } }),
        await h.call('DELETE', `/v1/sessions/${bSessionId}`, auth),
        await h.call('POST', '/v1/tokens', { ...auth, body: { role: 'scanner', environment: bOnlyEnv } }),
      ];
      expect(
        attempts.map((r) => r.status),
        kind,
      ).toEqual([404, 404, 404, 404, 404]);
      for (const r of attempts) expect(r.headers.get('content-type')).toContain('application/problem+json');
      await bStillIntact();
    }
  });

  it('lists only A objects: tokens, users, sessions, audit rows and the audit export', async () => {
    const bTokenIds = Object.values(h.b.tokens).map((t) => t.id);
    const bUserIds = Object.values(h.b.users).map((u) => u.id);
    for (const { kind, auth } of await aCallers()) {
      const tokens = await h.call('GET', '/v1/tokens', auth);
      expect(tokens.status, kind).toBe(200);
      expect(tokens.body.items.length).toBeGreaterThan(0);
      expect(tokens.body.items.filter((t: { id: number }) => bTokenIds.includes(t.id))).toEqual([]);

      const users = await h.call('GET', '/v1/users', auth);
      expect(users.body.items.map((u: { id: number }) => u.id).sort()).toEqual(
        Object.values(h.a.users)
          .map((u) => u.id)
          .sort(),
      );

      const sessions = await h.call('GET', '/v1/sessions', auth);
      expect(sessions.body.items.length).toBeGreaterThan(0);
      expect(
        sessions.body.items.filter((s: { id: string; userId: number }) => s.id === bSessionId || bUserIds.includes(s.userId)),
      ).toEqual([]);

      const audit = await h.call('GET', '/v1/audit?limit=500', auth);
      expect(audit.body.items.length).toBeGreaterThan(0);
      const bAuditIds = (await h.auditRows(h.b.id)).map((r) => String(r.id));
      expect(bAuditIds.length).toBeGreaterThan(0);
      expect(audit.body.items.filter((e: { id: string }) => bAuditIds.includes(e.id))).toEqual([]);
      const byResource = await h.call('GET', `/v1/audit?resourceType=api_token&userId=${h.b.users.admin.id}`, auth);
      expect(byResource.body.items).toEqual([]);

      const exported = await h.call('GET', '/v1/audit/export?format=jsonl', auth);
      const ids = exported.text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).id as string);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.filter((id) => bAuditIds.includes(id))).toEqual([]);
    }
  });

  it('whoami answers for the caller only; sign-in as B user into A is refused; logout ends only the caller session', async () => {
    const who = await h.call('GET', '/v1/whoami', { token: h.a.tokens.viewer.token });
    expect(who.body.orgId).toBe(h.a.id);
    const cross = await h.call('POST', '/v1/auth/login', {
      body: { email: h.b.users.admin.email, password: 'correct horse battery staple', organization: h.a.slug },
    });
    expect(cross.status).toBe(401);
    const a = await h.login(h.a.users.viewer.email);
    expect((await h.call('POST', '/v1/auth/logout', a)).status).toBe(200);
    await bStillIntact();
  });
});

describe('row-level security alone (API scoping bypassed)', () => {
  const TABLES = ['organizations', 'environments', 'users', 'api_tokens', 'user_sessions', 'audit_log'] as const;

  async function counts(client: pg.Client, orgId: number) {
    const out: Record<string, number> = {};
    for (const table of TABLES) {
      const column = table === 'organizations' ? 'id' : 'organization_id';
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${column} = $1`, [orgId]);
      out[table] = Number(rows[0]!.n);
    }
    return out;
  }
  const none = Object.fromEntries(TABLES.map((t) => [t, 0]));

  for (const role of [SERVICE_ROLES.api, 'dg_app']) {
    it(`${role}: no organization set, A set, or the empty setting a pooled connection keeps: no row of B`, async () => {
      const client = new pg.Client({ connectionString: h.tdb.url });
      await client.connect();
      try {
        await client.query(`SET ROLE ${role}`);
        // Never set on this connection.
        expect(await counts(client, h.b.id)).toEqual(none);
        expect(await counts(client, h.a.id)).toEqual(none);

        await client.query('BEGIN');
        await client.query(`SELECT set_config('dg.org_id', $1, true)`, [String(h.a.id)]);
        expect(await counts(client, h.b.id)).toEqual(none);
        const own = await counts(client, h.a.id);
        expect(own['users']).toBe(3);
        expect(own['api_tokens']).toBeGreaterThanOrEqual(4);
        // Writes to B's rows under A's scope touch nothing, and a row claimed for B is refused.
        const revoked = await client.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1', [h.b.tokens.viewer.id]);
        const deleted = await client.query('DELETE FROM users WHERE id = $1', [h.b.users.viewer.id]);
        expect([revoked.rowCount, deleted.rowCount]).toEqual([0, 0]);
        await client.query('SAVEPOINT s');
        await expect(
          client.query(`INSERT INTO users (organization_id, email, role) VALUES ($1, 'intruder@b.example', 'admin')`, [h.b.id]),
        ).rejects.toThrow(/row-level security/);
        await client.query('ROLLBACK TO SAVEPOINT s');
        await client.query('COMMIT');

        // After SET LOCAL's transaction the connection keeps dg.org_id = '' (not unset): still nothing.
        const { rows } = await client.query<{ v: string | null }>(`SELECT current_setting('dg.org_id', true) AS v`);
        expect(rows[0]!.v).toBe('');
        expect(await counts(client, h.a.id)).toEqual(none);
        expect(await counts(client, h.b.id)).toEqual(none);
      } finally {
        await client.end();
      }
    });
  }

  it("the api's pool: outside any organization scope, even on a connection A just used, no tenant row", async () => {
    const pool = createDb(h.tdb.url, { role: SERVICE_ROLES.api, max: 1 });
    try {
      const inA = await runAsOrg(h.a.id, () => pool.selectFrom('users').select('organization_id').execute());
      expect(new Set(inA.map((r) => r.organization_id))).toEqual(new Set([h.a.id]));
      expect(await pool.selectFrom('users').select('id').execute()).toEqual([]);
      expect(await pool.selectFrom('api_tokens').select('id').execute()).toEqual([]);
      expect(await pool.selectFrom('audit_log').select('id').execute()).toEqual([]);
    } finally {
      await pool.destroy();
    }
  });
});
