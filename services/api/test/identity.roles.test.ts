import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connectBus, streamNames } from '@driftguard/bus';
import { createLogger } from '@driftguard/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATS_URL, startApi, type ApiHarness, type CallOptions } from './identity.harness.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SCAN = readFileSync(`${ROOT}/../shared/fixtures/driftctl/scan-output.v0.40.json`);

let h: ApiHarness;
beforeAll(async () => {
  h = await startApi('api_roles');
});
afterAll(async () => h?.stop());

type Actor = 'token:admin' | 'token:engineer' | 'token:viewer' | 'token:scanner' | 'user:admin' | 'user:engineer' | 'user:viewer';
const ACTORS: readonly Actor[] = [
  'token:admin',
  'token:engineer',
  'token:viewer',
  'token:scanner',
  'user:admin',
  'user:engineer',
  'user:viewer',
];

async function as(actor: Actor): Promise<CallOptions> {
  const [kind, role] = actor.split(':') as ['token' | 'user', 'admin' | 'engineer' | 'viewer' | 'scanner'];
  if (kind === 'token') return { token: h.a.tokens[role].token };
  const { session, csrf } = await h.login(h.a.users[role as 'admin' | 'engineer' | 'viewer'].email);
  return { session, csrf };
}

/** Each endpoint with a request that succeeds for whoever may make it. */
const ENDPOINTS: Array<{ name: string; allowed: readonly Actor[]; ok: number; run: (auth: CallOptions) => Promise<number> }> = [
  { name: 'GET /v1/whoami', allowed: ACTORS, ok: 200, run: async (auth) => (await h.call('GET', '/v1/whoami', auth)).status },
  {
    name: 'GET /v1/tokens',
    allowed: ['token:admin', 'user:admin'],
    ok: 200,
    run: async (auth) => (await h.call('GET', '/v1/tokens', auth)).status,
  },
  {
    name: 'POST /v1/tokens',
    allowed: ['token:admin', 'user:admin'],
    ok: 201,
    run: async (auth) => (await h.call('POST', '/v1/tokens', { ...auth, body: { role: 'viewer' } })).status,
  },
  {
    name: 'DELETE /v1/tokens/:id',
    allowed: ['token:admin', 'user:admin'],
    ok: 200,
    run: async (auth) => {
      const fresh = await h.call('POST', '/v1/tokens', { token: h.a.tokens.admin.token, body: { role: 'viewer' } });
      return (await h.call('DELETE', `/v1/tokens/${fresh.body.id}`, auth)).status;
    },
  },
  {
    name: 'GET /v1/users',
    allowed: ['token:admin', 'user:admin'],
    ok: 200,
    run: async (auth) => (await h.call('GET', '/v1/users', auth)).status,
  },
  {
    name: 'POST /v1/users',
    allowed: ['token:admin', 'user:admin'],
    ok: 201,
    run: async (auth) =>
      (await h.call('POST', '/v1/users', { ...auth, body: { email: `u-${randomBytes(4).toString('hex')}@a.example` } })).status,
  },
  {
    name: 'PATCH /v1/users/:id',
    allowed: ['token:admin', 'user:admin'],
    ok: 200,
    run: async (auth) =>
      (await h.call('PATCH', `/v1/users/${h.a.users.viewer.id}`, { ...auth, body: { displayName: 'Viewer' } })).status,
  },
  {
    name: 'GET /v1/sessions',
    allowed: ['token:admin', 'user:admin'],
    ok: 200,
    run: async (auth) => (await h.call('GET', '/v1/sessions', auth)).status,
  },
  {
    name: 'DELETE /v1/sessions/:id',
    allowed: ['token:admin', 'user:admin'],
    ok: 200,
    run: async (auth) => {
      await h.login(h.a.users.engineer.email);
      const row = await h.db
        .selectFrom('user_sessions')
        .select('id')
        .where('user_id', '=', h.a.users.engineer.id)
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow();
      return (await h.call('DELETE', `/v1/sessions/${row.id}`, auth)).status;
    },
  },
  {
    name: 'GET /v1/audit',
    allowed: ['token:admin', 'user:admin'],
    ok: 200,
    run: async (auth) => (await h.call('GET', '/v1/audit', auth)).status,
  },
  {
    name: 'GET /v1/audit/export',
    allowed: ['token:admin', 'user:admin'],
    ok: 200,
    run: async (auth) => (await h.call('GET', '/v1/audit/export?format=csv', auth)).status,
  },
];

describe('role permissions on every api endpoint', () => {
  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.name}: ${endpoint.allowed.join(', ')} only`, async () => {
      const got: Record<string, number> = {};
      const want: Record<string, number> = {};
      for (const actor of ACTORS) {
        got[actor] = await endpoint.run(await as(actor));
        want[actor] = endpoint.allowed.includes(actor) ? endpoint.ok : 403;
      }
      expect(got).toEqual(want);
    });
  }

  it('session endpoints answer a session only; a token gets 400 not_a_session', async () => {
    for (const actor of ACTORS) {
      const auth = await as(actor);
      const session = await h.call('GET', '/v1/auth/session', auth);
      expect([actor, session.status, session.body.code]).toEqual(
        actor.startsWith('token') ? [actor, 400, 'not_a_session'] : [actor, 200, undefined],
      );
    }
  });

  it('a token without a credential is 401, not 403', async () => {
    const r = await h.call('GET', '/v1/tokens');
    expect([r.status, r.body.code]).toEqual([401, 'missing_token']);
  });
});

/** The ingest service as its own process on the same database: what a scanner token talks to. */
function startIngest(): Promise<{ url: string; child: ChildProcess; streamPrefix: string }> {
  const suffix = randomBytes(4).toString('hex');
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'services/ingest/src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'],
      DATABASE_URL: h.tdb.url,
      NATS_URL,
      PORT: '0',
      LOG_LEVEL: 'info',
      DG_SUBJECT_ROOT: `t${suffix}`,
      DG_STREAM_PREFIX: `T${suffix}_`,
      DG_MASTER_KEY: `k1:${randomBytes(32).toString('base64')}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /"port":(\d+)[^\n]*"msg":"service started"/.exec(out);
      if (match) resolve({ url: `http://127.0.0.1:${match[1]}`, child, streamPrefix: `T${suffix}_` });
    });
    child.once('exit', (code) => reject(new Error(`ingest exited with ${code}: ${out}`)));
  });
}

describe('a scanner token submits scans and context for its own scope only', () => {
  it('ingest: its environment yes; another environment of its organization 403; another organization 404', async () => {
    await h.db
      .insertInto('environments')
      .values({ organization_id: h.a.id, name: 'staging', slug: 'staging', cloud_provider: 'aws' })
      .execute();
    const { url, child, streamPrefix } = await startIngest();
    try {
      const scanner = { authorization: `Bearer ${h.a.tokens.scanner.token}` };
      const post = (path: string, body: string | Buffer, type = 'application/json') =>
        fetch(url + path, { method: 'POST', headers: { ...scanner, 'content-type': type }, body }).then((r) => r.status);
      const deployment = JSON.stringify({ id: 'd-1', title: 'deploy', service: 'checkout', start: '2026-11-30T18:00:00Z' });

      expect(await post('/v1/scans?format=driftctl', SCAN)).toBe(202);
      expect(await post(`/v1/scans?format=driftctl&env=${h.a.slug}/staging`, SCAN)).toBe(403);
      expect(await post(`/v1/scans?format=driftctl&env=${h.b.slug}/prod`, SCAN)).toBe(404);
      expect(await post('/v1/context/deployment', deployment)).toBe(202);
      expect(await post(`/v1/context/deployment?env=${h.a.slug}/staging`, deployment)).toBe(403);
      expect(await post(`/v1/context/deployment?env=${h.b.slug}/prod`, deployment)).toBe(404);
      // A viewer token may not submit at all.
      const viewer = await fetch(`${url}/v1/scans?format=driftctl`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.a.tokens.viewer.token}` },
        body: SCAN,
      });
      expect(viewer.status).toBe(403);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      const bus = await connectBus({ url: NATS_URL, name: 'roles-cleanup', log: createLogger({ level: 'silent', name: 't' }) });
      for (const name of Object.values(streamNames({ streamPrefix }))) await bus.jsm.streams.delete(name).catch(() => undefined);
      await bus.close();
    }
  });

  it('api: nothing but whoami', async () => {
    const scanner = { token: h.a.tokens.scanner.token };
    expect((await h.call('GET', '/v1/whoami', scanner)).status).toBe(200);
    for (const [method, path, body] of [
      ['POST', '/v1/tokens', { role: 'scanner' }],
      ['GET', '/v1/tokens', undefined],
      ['POST', '/v1/users', { email: 'x@a.example' }],
      ['GET', '/v1/audit', undefined],
      ['GET', '/v1/sessions', undefined],
    ] as const) {
      expect((await h.call(method, path, { ...scanner, body })).status, `${method} ${path}`).toBe(403);
    }
  });
});
