import { randomBytes } from 'node:crypto';
import { connectBus, streamNames } from '@driftguard/bus';
import { createDb, SERVICE_ROLES, type Database } from '@driftguard/db';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { createLogger, generateToken, type Service } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { loadApiConfig } from '../src/config.js';
import { hashPassword } from '../src/identity/passwords.js';
import { createApiService, type ApiDeps } from '../src/service.js';

export const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
export const PASSWORD = 'correct horse battery staple';

export type TokenRole = 'admin' | 'engineer' | 'viewer' | 'scanner';
export type UserRole = 'admin' | 'engineer' | 'viewer';

/** An organization with an environment, a token of each role and a user of each role (password {@link PASSWORD}). */
export interface Org {
  id: number;
  slug: string;
  envId: number;
  envSlug: string;
  tokens: Record<TokenRole, { id: number; token: string }>;
  users: Record<UserRole, { id: number; email: string }>;
}

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
  text: string;
}

export interface CallOptions {
  token?: string;
  /** Session cookie value (`dg_session`). */
  session?: string;
  csrf?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiHarness {
  url: string;
  /** The database owner's view, for setup and assertions (not subject to row-level security). */
  db: Kysely<Database>;
  tdb: TestDatabase;
  a: Org;
  b: Org;
  call(method: string, path: string, opts?: CallOptions): Promise<Answer>;
  /** Signs in with a password; returns the session cookie's value and the CSRF token. */
  login(email: string, password?: string, organization?: string): Promise<{ session: string; csrf: string; answer: Answer }>;
  createOrg(slug: string): Promise<Org>;
  auditRows(orgId: number): Promise<any[]>;
  stop(): Promise<void>;
}

/** The value of cookie `name` in a response's Set-Cookie headers. */
export function cookieFrom(headers: Headers, name: string): string | undefined {
  for (const line of headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    if (pair.slice(0, eq).trim() === name) return decodeURIComponent(pair.slice(eq + 1));
  }
  return undefined;
}

async function seedOrg(db: Kysely<Database>, slug: string, passwordHash: string): Promise<Org> {
  const org = await db.insertInto('organizations').values({ name: slug, slug }).returning('id').executeTakeFirstOrThrow();
  const env = await db
    .insertInto('environments')
    .values({ organization_id: org.id, name: 'prod', slug: 'prod', cloud_provider: 'aws' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const tokens = {} as Org['tokens'];
  for (const role of ['admin', 'engineer', 'viewer', 'scanner'] as const) {
    const t = generateToken();
    const row = await db
      .insertInto('api_tokens')
      .values({
        organization_id: org.id,
        environment_id: role === 'scanner' ? env.id : null,
        name: `${role}-seed`,
        token_prefix: t.prefix,
        token_hash: t.hash,
        role,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    tokens[role] = { id: row.id, token: t.token };
  }
  const users = {} as Org['users'];
  for (const role of ['admin', 'engineer', 'viewer'] as const) {
    const email = `${role}@${slug}.example`;
    const row = await db
      .insertInto('users')
      .values({ organization_id: org.id, email, role, password_hash: passwordHash })
      .returning('id')
      .executeTakeFirstOrThrow();
    users[role] = { id: row.id, email };
  }
  return { id: org.id, slug, envId: env.id, envSlug: 'prod', tokens, users };
}

/** A real api service (its own PostgreSQL role, row-level security on) on a free port, with two organizations. */
export async function startApi(
  label: string,
  extraEnv: Record<string, string> = {},
  apiDeps: Pick<ApiDeps, 'channels'> = {},
): Promise<ApiHarness> {
  const tdb = await createTestDatabase(label);
  const suffix = randomBytes(4).toString('hex');
  const env = {
    DATABASE_URL: tdb.url,
    NATS_URL,
    PORT: '0',
    LOG_LEVEL: 'silent',
    DG_SUBJECT_ROOT: `t${suffix}`,
    DG_STREAM_PREFIX: `T${suffix}_`,
    DG_INSTANCE_ID: `test-${suffix}`,
    ...extraEnv,
  };
  const serviceDb = createDb(tdb.url, { role: SERVICE_ROLES.api, max: 5, applicationName: 'driftguard-api-test' });
  const svc: Service = await createApiService(loadApiConfig(env), {
    db: serviceDb,
    log: createLogger({ level: 'silent', name: 'api-test' }),
    ...apiDeps,
  });
  const { port } = await svc.start();
  const url = `http://127.0.0.1:${port}`;
  const passwordHash = await hashPassword(PASSWORD);
  const a = await seedOrg(tdb.db, `a-${suffix}`, passwordHash);
  const b = await seedOrg(tdb.db, `b-${suffix}`, passwordHash);

  const call: ApiHarness['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    if (opts.session) headers['cookie'] = `dg_session=${opts.session}`;
    if (opts.csrf) headers['x-csrf-token'] = opts.csrf;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const res = await fetch(url + path, { method, headers, body, redirect: 'manual' });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, headers: res.headers, text };
  };

  return {
    url,
    db: tdb.db,
    tdb,
    a,
    b,
    call,
    async login(email, password = PASSWORD, organization) {
      const answer = await call('POST', '/v1/auth/login', {
        body: { email, password, ...(organization ? { organization } : {}) },
      });
      const session = cookieFrom(answer.headers, 'dg_session');
      if (answer.status !== 200 || !session) throw new Error(`login failed: ${answer.status} ${answer.text}`);
      return { session, csrf: answer.body.csrfToken as string, answer };
    },
    createOrg: (slug) => seedOrg(tdb.db, slug, passwordHash),
    auditRows: (orgId) => tdb.db.selectFrom('audit_log').selectAll().where('organization_id', '=', orgId).orderBy('id').execute(),
    async stop() {
      await svc.destroy();
      const bus = await connectBus({
        url: NATS_URL,
        name: 'api-test-cleanup',
        log: createLogger({ level: 'silent', name: 't' }),
      });
      for (const name of Object.values(streamNames({ streamPrefix: env.DG_STREAM_PREFIX }))) {
        await bus.jsm.streams.delete(name).catch(() => undefined);
      }
      await bus.close();
      await serviceDb.destroy();
      await tdb.destroy();
    },
  };
}
