import { randomBytes } from 'node:crypto';
import { connectBus } from '@driftguard/bus';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, type Role } from '@driftguard/contracts';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { createLogger, generateToken, type Service, type ServiceDeps } from '@driftguard/runtime';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureService, SERVICE_NAMES, type ServiceName } from '../src/service-catalog.js';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const suffix = randomBytes(4).toString('hex');
const env = {
  NATS_URL,
  PORT: '0',
  LOG_LEVEL: 'silent',
  DG_SUBJECT_ROOT: `t${suffix}`,
  DG_STREAM_PREFIX: `T${suffix}_`,
  DG_INSTANCE_ID: `openapi-${suffix}`,
  DG_MASTER_KEY: `k1:${randomBytes(32).toString('base64')}`,
};

interface Running {
  service: Service;
  url: string;
  routes: { method: string; url: string }[];
  doc: OpenApiDoc;
}
type Operation = { responses?: Record<string, { content?: Record<string, { schema?: object }> }> };
type OpenApiDoc = { openapi: string; paths: Record<string, Record<string, Operation>>; components?: object };

let tdb: TestDatabase;
const running = new Map<ServiceName, Running>();
const tokens: Record<'scanner' | 'viewer' | 'orgAdmin', string> = { scanner: '', viewer: '', orgAdmin: '' };
let envId = 0;
let repositoryId = 0;

async function token(orgId: number, envOf: number | null, role: Role): Promise<string> {
  const t = generateToken();
  await tdb.db
    .insertInto('api_tokens')
    .values({
      organization_id: orgId,
      environment_id: envOf,
      name: `${role}-${t.prefix}`,
      token_prefix: t.prefix,
      token_hash: t.hash,
      role,
    })
    .execute();
  return t.token;
}

beforeAll(async () => {
  tdb = await createTestDatabase('dg_openapi');
  const org = await tdb.db
    .insertInto('organizations')
    .values({ name: 'acme', slug: 'acme' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const prod = await tdb.db
    .insertInto('environments')
    .values({ organization_id: org.id, name: 'prod', slug: 'prod', cloud_provider: 'aws' })
    .returning('id')
    .executeTakeFirstOrThrow();
  envId = prod.id;
  const other = await tdb.db
    .insertInto('organizations')
    .values({ name: 'other', slug: 'other' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tdb.db
    .insertInto('environments')
    .values({ organization_id: other.id, name: 'prod', slug: 'prod', cloud_provider: 'aws' })
    .execute();
  const repo = await tdb.db
    .insertInto('iac_repositories')
    .values({
      environment_id: envId,
      name: 'k8s',
      tool: 'kubernetes',
      repository_url: null,
      branch: 'main',
      credentials_encrypted: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  repositoryId = repo.id;
  tokens.scanner = await token(org.id, envId, 'scanner');
  tokens.viewer = await token(org.id, null, 'viewer');
  tokens.orgAdmin = await token(org.id, null, 'admin');

  const log = createLogger({ level: 'silent', name: 'openapi-test' });
  for (const name of SERVICE_NAMES) {
    const routes: Running['routes'] = [];
    const onRoute: ServiceDeps['onRoute'] = (route) => {
      // Routes hidden from the document on purpose: the page and assets of /docs, which render it.
      if (route.schema?.hide === true) return;
      for (const method of [route.method].flat()) routes.push({ method, url: route.url });
    };
    const configured = await configureService(name, { ...env, DATABASE_URL: tdb.url });
    const service = await configured.create({ db: tdb.db, log, outboxRelay: false, onRoute });
    const { port } = await service.start();
    const url = `http://127.0.0.1:${port}`;
    const res = await fetch(`${url}/openapi.json`);
    running.set(name, { service, url, routes, doc: (await res.json()) as OpenApiDoc });
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([...running.values()].map((r) => r.service.destroy()));
  const bus = await connectBus({ url: NATS_URL, name: 'openapi-cleanup', log: createLogger({ level: 'silent', name: 'test' }) });
  for await (const stream of bus.jsm.streams.list()) {
    if (stream.config.name.startsWith(env.DG_STREAM_PREFIX)) await bus.jsm.streams.delete(stream.config.name);
  }
  await bus.close();
  await tdb?.destroy();
});

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);

/** `/v1/scans/:id` → `/v1/scans/{id}`, as OpenAPI writes paths. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** Checks an actual answer against the schema `/openapi.json` gives for its route, status and media type. */
async function conforms(name: ServiceName, route: string, method: string, res: Response): Promise<unknown> {
  const { doc } = running.get(name)!;
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const operation = doc.paths[route]?.[method.toLowerCase()];
  const response = operation?.responses?.[String(res.status)];
  expect(response, `${name}: ${method} ${route} documents ${res.status}`).toBeDefined();
  const content = response!.content ?? {};
  const schema = (content[mediaType] ?? (mediaType === 'application/json' ? undefined : content['application/json']))?.schema;
  expect(
    schema,
    `${name}: ${method} ${route} ${res.status} documents ${mediaType} (has ${Object.keys(content).join(', ')})`,
  ).toBeDefined();
  const text = await res.text();
  const body: unknown = mediaType.endsWith('json') ? JSON.parse(text) : text;
  const validate = ajv.compile({ ...schema, components: doc.components });
  expect(
    validate(body),
    `${name}: ${method} ${route} ${res.status}: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 500)}`,
  ).toBe(true);
  if (res.status >= 400) {
    expect(mediaType).toBe(PROBLEM_CONTENT_TYPE);
    expect(body).toMatchObject({
      type: expect.stringMatching(`^${PROBLEM_TYPE_BASE}[a-z0-9-]+$`),
      title: expect.any(String),
      status: res.status,
      detail: expect.any(String),
      instance: expect.any(String),
    });
  }
  return body;
}

function call(
  name: ServiceName,
  method: string,
  path: string,
  opts: { token?: string; body?: Buffer | string; headers?: Record<string, string> } = {},
) {
  return fetch(`${running.get(name)!.url}${path}`, {
    method,
    headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
    ...(opts.body === undefined ? {} : { body: opts.body }),
  });
}

describe.each(SERVICE_NAMES)('%s serves /openapi.json', (name) => {
  it('is an OpenAPI 3.1 document describing every registered route and method, with problem answers', () => {
    const { doc, routes } = running.get(name)!;
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(routes.map((r) => r.url)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/metrics', '/openapi.json']));
    for (const route of routes) {
      const operation = doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
      expect(operation, `${name}: ${route.method} ${route.url} is in /openapi.json`).toBeDefined();
      const statuses = Object.keys(operation!.responses ?? {});
      expect(
        // A redirecting route succeeds with a 3xx (the OpenID Connect sign-in, the notifier's tracked links).
        statuses.some((s) => s.startsWith('2') || s.startsWith('3')),
        `${name}: ${route.method} ${route.url} documents its success`,
      ).toBe(true);
      expect(
        operation!.responses!['500']?.content?.[PROBLEM_CONTENT_TYPE],
        `${name}: ${route.method} ${route.url} documents its problems`,
      ).toBeDefined();
    }
  });

  it('answers health, readiness, metrics, the document and an unknown route as documented', async () => {
    await conforms(name, '/healthz', 'GET', await call(name, 'GET', '/healthz'));
    expect(await conforms(name, '/readyz', 'GET', await call(name, 'GET', '/readyz'))).toMatchObject({ status: 'ready' });
    expect(await conforms(name, '/metrics', 'GET', await call(name, 'GET', '/metrics'))).toContain(
      'http_request_duration_seconds',
    );
    await conforms(name, '/openapi.json', 'GET', await call(name, 'GET', '/openapi.json'));
    // An unknown route has no operation to check against; it still answers the one problem format.
    const unknown = await call(name, 'GET', '/v1/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await unknown.json()).toMatchObject({
      type: `${PROBLEM_TYPE_BASE}route-not-found`,
      status: 404,
      instance: '/v1/nothing-here',
      detail: expect.any(String),
    });
  });
});

describe('answers match /openapi.json, success and problem alike', () => {
  it('api: GET /v1/whoami 200 and 401', async () => {
    expect(
      await conforms('api', '/v1/whoami', 'GET', await call('api', 'GET', '/v1/whoami', { token: tokens.scanner })),
    ).toMatchObject({ envId, role: 'scanner' });
    expect(await conforms('api', '/v1/whoami', 'GET', await call('api', 'GET', '/v1/whoami'))).toMatchObject({
      code: 'missing_token',
    });
  });

  it('ingest: POST /v1/scans 202, 400, 401, 403, 404, 413, 422 and GET /v1/scans/:id 200, 404', async () => {
    const scan = JSON.stringify({ StackResourceDrifts: [] });
    const post = (query: string, token: string | undefined, body: Buffer | string = scan) =>
      call('ingest', 'POST', `/v1/scans?${query}`, { ...(token ? { token } : {}), body });
    const accepted = (await conforms('ingest', '/v1/scans', 'POST', await post('format=cloudformation', tokens.scanner))) as {
      scanId: string;
    };
    expect(await conforms('ingest', '/v1/scans', 'POST', await post('format=pulumi', tokens.scanner))).toMatchObject({
      code: 'invalid_request',
    });
    expect(await conforms('ingest', '/v1/scans', 'POST', await post('format=cloudformation', undefined))).toMatchObject({
      code: 'missing_token',
    });
    expect(
      await conforms('ingest', '/v1/scans', 'POST', await post('format=cloudformation&env=acme/prod', tokens.viewer)),
    ).toMatchObject({ code: 'forbidden' });
    expect(
      await conforms('ingest', '/v1/scans', 'POST', await post('format=cloudformation&env=other/prod', tokens.orgAdmin)),
    ).toMatchObject({ code: 'environment_not_found' });
    const tooLarge = await conforms(
      'ingest',
      '/v1/scans',
      'POST',
      await post('format=cloudformation', tokens.scanner, Buffer.alloc(50 * 1024 * 1024 + 1, 0x20)),
    );
    expect(tooLarge).toMatchObject({ code: 'payload_too_large', limit: 'maxWireBytes', max: 50 * 1024 * 1024 });
    expect(
      await conforms(
        'ingest',
        '/v1/scans',
        'POST',
        await post('format=cloudformation', tokens.scanner, '{"StackResourceDrifts":"all good"}'),
      ),
    ).toMatchObject({ code: 'invalid_structure', format: 'cloudformation' });

    expect(
      await conforms(
        'ingest',
        '/v1/scans/{id}',
        'GET',
        await call('ingest', 'GET', `/v1/scans/${accepted.scanId}`, { token: tokens.scanner }),
      ),
    ).toMatchObject({ id: accepted.scanId, format: 'cloudformation' });
    expect(
      await conforms(
        'ingest',
        '/v1/scans/{id}',
        'GET',
        await call('ingest', 'GET', '/v1/scans/not-a-scan', { token: tokens.scanner }),
      ),
    ).toMatchObject({ code: 'scan_not_found' });
  });

  it('ingest: PUT /v1/repositories/:repositoryId/declared 200, 400, 401, 403, 404, 422', async () => {
    const path = (id: number) => `/v1/repositories/${id}/declared`;
    const put = (id: number, token: string | undefined, body: string, query = '') =>
      call('ingest', 'PUT', `${path(id)}${query}`, {
        ...(token ? { token } : {}),
        body,
        headers: { 'content-type': 'text/yaml' },
      });
    const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\n';
    const route = '/v1/repositories/{repositoryId}/declared';
    expect(await conforms('ingest', route, 'PUT', await put(repositoryId, tokens.scanner, manifest))).toMatchObject({
      repositoryId,
      total: 1,
    });
    expect(
      await conforms('ingest', route, 'PUT', await put(repositoryId, tokens.scanner, manifest, '?format=pulumi')),
    ).toMatchObject({ code: 'invalid_request' });
    expect(await conforms('ingest', route, 'PUT', await put(repositoryId, undefined, manifest))).toMatchObject({
      code: 'missing_token',
    });
    expect(await conforms('ingest', route, 'PUT', await put(repositoryId, tokens.viewer, manifest))).toMatchObject({
      code: 'forbidden',
    });
    expect(await conforms('ingest', route, 'PUT', await put(2_000_000_000, tokens.orgAdmin, manifest))).toMatchObject({
      code: 'repository_not_found',
    });
    expect(
      await conforms('ingest', route, 'PUT', await put(repositoryId, tokens.scanner, '{}', '?format=tfstate')),
    ).toMatchObject({ status: 422, code: 'wrong_format' });
  });

  it('ingest: POST /v1/context/:source 200, 202, 400, 401, 403, 413, 422', async () => {
    const route = '/v1/context/{source}';
    const deployment = JSON.stringify({
      id: 'deploy-1',
      title: 'Deploy checkout 1.2.3',
      service: 'checkout',
      start: '2026-11-30T18:00:00Z',
    });
    const post = (source: string, token: string | undefined, body: string, headers: Record<string, string> = {}) =>
      call('ingest', 'POST', `/v1/context/${source}`, {
        ...(token ? { token } : {}),
        body,
        headers: { 'content-type': 'application/json', ...headers },
      });
    expect(await conforms('ingest', route, 'POST', await post('deployment', tokens.scanner, deployment))).toMatchObject({
      status: 'accepted',
      published: 1,
    });
    expect(
      await conforms(
        'ingest',
        route,
        'POST',
        await post('github', tokens.scanner, '{"zen":"Design for failure."}', { 'x-github-event': 'ping' }),
      ),
    ).toMatchObject({ published: 0, ignored: 'ping' });
    expect(await conforms('ingest', route, 'POST', await post('jenkins', tokens.scanner, deployment))).toMatchObject({
      code: 'invalid_request',
    });
    expect(await conforms('ingest', route, 'POST', await post('deployment', undefined, deployment))).toMatchObject({
      code: 'missing_token',
    });
    expect(await conforms('ingest', route, 'POST', await post('deployment', tokens.viewer, deployment))).toMatchObject({
      code: 'forbidden',
    });
    expect(
      await conforms('ingest', route, 'POST', await post('deployment', tokens.scanner, ' '.repeat(10 * 1024 * 1024 + 1))),
    ).toMatchObject({ limit: 'maxContextBytes' });
    expect(await conforms('ingest', route, 'POST', await post('deployment', tokens.scanner, '{"id":"x"}'))).toMatchObject({
      code: 'invalid_payload',
      errors: expect.any(Array),
    });
  });
});
