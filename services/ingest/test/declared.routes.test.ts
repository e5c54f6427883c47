import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { createHttpServer, createLogger, createTokenAuth, type HttpServer } from '@driftguard/runtime';
import { mapIngestError } from '../src/http/ingest-problems.js';
import { declaredRoutes } from '../src/declared/declared.routes.js';
import {
  environmentRow,
  FIXTURES,
  repositoryRow,
  resourceIds,
  tenantRows,
  tokenRow,
  type TenantRows,
} from './declared.support.js';

let tdb: TestDatabase;
let server: HttpServer;
let tenant: TenantRows;
let scanner: string;

const fixture = (path: string) => readFileSync(resolve(FIXTURES, path));

beforeAll(async () => {
  tdb = await createTestDatabase('ingest_declared_routes');
  const log = createLogger({ level: 'silent', name: 'ingest' });
  server = createHttpServer({ log, serviceName: 'ingest', checks: {}, auth: createTokenAuth(tdb.db), mapError: mapIngestError });
  await server.app.register(declaredRoutes, { db: tdb.db, log });
  server.app.post('/echo', async (req) => ({ parsed: typeof req.body }));
  await server.app.ready();
  tenant = await tenantRows(tdb.db);
  scanner = await tokenRow(tdb.db, tenant.orgId, tenant.envId, 'scanner');
});
afterAll(async () => {
  await server?.close();
  await tdb?.destroy();
});

function put(
  repositoryId: number | string,
  body: Buffer | string,
  opts: { token?: string | null; query?: string; headers?: Record<string, string> } = {},
) {
  const token = opts.token === undefined ? scanner : opts.token;
  return server.app.inject({
    method: 'PUT',
    url: `/v1/repositories/${repositoryId}/declared${opts.query ?? ''}`,
    payload: body,
    headers: {
      'content-type': 'application/octet-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...opts.headers,
    },
  });
}

/** Everything an upload may change, to prove a refused one changed nothing. */
async function snapshot(repositoryId: number) {
  const repo = await tdb.db
    .selectFrom('iac_repositories')
    .select('last_sync_at')
    .where('id', '=', repositoryId)
    .executeTakeFirstOrThrow();
  const audit = await tdb.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const rows = await tdb.db
    .selectFrom('iac_resources')
    .selectAll()
    .where('iac_repository_id', '=', repositoryId)
    .orderBy('id')
    .execute();
  return { lastSync: repo.last_sync_at?.getTime() ?? null, audit: audit.n, rows };
}

describe('PUT /v1/repositories/:repositoryId/declared', () => {
  it('replaces the declared state: a second upload without a resource removes it and unlinks its drifts', async () => {
    const repo = await repositoryRow(tdb.db, tenant.envId, 'terraform');
    const first = await put(repo, fixture('driftctl/tfstate-v4-module-iam-user.tfstate'));
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ repositoryId: repo, added: 2, updated: 0, unchanged: 0, removed: 0, total: 2, rejected: [] });
    expect(await resourceIds(tdb.db, repo)).toEqual([
      'module.iam_iam-user.aws_iam_access_key.this_no_pgp[0]',
      'module.iam_iam-user.aws_iam_user.this[0]',
    ]);

    const key = await tdb.db
      .selectFrom('iac_resources')
      .select('id')
      .where('iac_repository_id', '=', repo)
      .where('resource_id', '=', 'module.iam_iam-user.aws_iam_access_key.this_no_pgp[0]')
      .executeTakeFirstOrThrow();
    const drift = await tdb.db
      .insertInto('drift_events')
      .values({
        environment_id: tenant.envId,
        iac_resource_id: key.id,
        drift_type: 'modified',
        metadata: JSON.stringify({ resource: { address: 'module.iam_iam-user.aws_iam_access_key.this_no_pgp[0]' } }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    const state = JSON.parse(fixture('driftctl/tfstate-v4-module-iam-user.tfstate').toString('utf8'));
    state.resources = state.resources.filter((r: { type: string }) => r.type !== 'aws_iam_access_key');
    const second = await put(repo, JSON.stringify(state));
    expect(second.json()).toEqual({ repositoryId: repo, added: 0, updated: 0, unchanged: 1, removed: 1, total: 1, rejected: [] });
    expect(await resourceIds(tdb.db, repo)).toEqual(['module.iam_iam-user.aws_iam_user.this[0]']);
    const unlinked = await tdb.db
      .selectFrom('drift_events')
      .select(['iac_resource_id', 'metadata'])
      .where('id', '=', drift.id)
      .executeTakeFirstOrThrow();
    expect(unlinked).toEqual({
      iac_resource_id: null,
      metadata: { resource: { address: 'module.iam_iam-user.aws_iam_access_key.this_no_pgp[0]' } },
    });
  });

  it('reads the format from the repository tool: manifests, templates, show -json, gzip', async () => {
    const k8s = await repositoryRow(tdb.db, tenant.envId, 'kubernetes');
    const manifests = `${fixture('kubernetes/deploy-composite-key.declared.yaml').toString()}\n---\n${fixture('kubernetes/endpointslice.declared.json').toString()}`;
    const res = await put(k8s, gzipSync(manifests), { headers: { 'content-type': 'application/yaml' } });
    expect(res.json()).toMatchObject({ added: 2, total: 2 });
    expect(await resourceIds(tdb.db, k8s)).toEqual([
      'apps/v1/Deployment/default/test-container-ports',
      'discovery.k8s.io/v1/EndpointSlice/default/test-endpoint-slice',
    ]);

    const cfn = await repositoryRow(tdb.db, tenant.envId, 'cloudformation');
    const template =
      'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub "${AWS::StackName}-q"\n';
    expect((await put(cfn, template, { headers: { 'content-type': 'text/yaml' } })).json()).toMatchObject({ added: 1, total: 1 });
    const row = await tdb.db
      .selectFrom('iac_resources')
      .select(['resource_type', 'resource_id', 'declared_state'])
      .where('iac_repository_id', '=', cfn)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      resource_type: 'AWS::SQS::Queue',
      resource_id: 'Queue',
      declared_state: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Sub': '${AWS::StackName}-q' } } },
    });

    const tf = await repositoryRow(tdb.db, tenant.envId, 'terraform');
    const show = await put(tf, fixture('terraform/show-state-sensitive.tfjson.json'), {
      query: '?format=terraform-show-json',
      headers: { 'content-type': 'application/json' },
    });
    expect(show.json()).toMatchObject({ added: 7, total: 7 });
  });

  it('answers bad input with a problem naming format, path and fault, and changes nothing', async () => {
    const repo = await repositoryRow(tdb.db, tenant.envId, 'kubernetes');
    await put(repo, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
    const before = await snapshot(repo);

    const yaml = await put(repo, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n---\nkind: [\n');
    expect(yaml.statusCode).toBe(400);
    expect(yaml.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = yaml.json();
    expect(problem).toMatchObject({
      status: 400,
      title: 'Invalid kubernetes declared state',
      code: 'malformed_yaml',
      format: 'kubernetes',
    });
    expect(problem.type).toBe('https://driftguard.dev/problems/malformed-yaml');
    expect(problem.errors).toEqual([
      {
        path: '/1',
        message: expect.stringMatching(/^YAML document 1 \(0-based\), line \d+, column \d+: /),
        line: expect.any(Number),
        column: expect.any(Number),
      },
    ]);
    expect(problem.detail).toContain('kubernetes: /1: YAML document 1');

    const tf = await repositoryRow(tdb.db, tenant.envId, 'terraform');
    const plan = await put(tf, fixture('terraform/plan-resource-drift.json'));
    expect(plan.statusCode).toBe(422);
    expect(plan.json()).toMatchObject({
      code: 'wrong_format',
      errors: [{ path: '', message: expect.stringContaining('this is a plan') }],
    });
    const wrongFormat = await put(tf, fixture('driftctl/tfstate-v4-security-group.tfstate'), { query: '?format=kubernetes' });
    expect(wrongFormat.statusCode).toBe(422);
    expect(wrongFormat.json().detail).toContain('a terraform repository takes tfstate or terraform-show-json, not kubernetes');
    const badQuery = await put(tf, '{}', { query: '?format=hcl' });
    expect(badQuery.statusCode).toBe(400);
    expect(badQuery.json().errors[0].path).toBe('query.format');
    const empty = await put(repo, '');
    expect(empty.statusCode).toBe(400);
    const notGzip = await put(repo, Buffer.from([0x1f, 0x8b, 0x00, 0x01, 0x02]));
    expect(notGzip.json()).toMatchObject({ status: 400, code: 'invalid_encoding' });

    expect(await snapshot(repo)).toEqual(before);
  });

  it('refuses an upload of which no document can be read with 422, and keeps the declared state', async () => {
    const repo = await repositoryRow(tdb.db, tenant.envId, 'kubernetes');
    await put(repo, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kept, namespace: default}\n');
    const before = await snapshot(repo);
    expect(before.rows).toHaveLength(1);
    for (const body of ['[1, 2, 3]', '"a string"', '{"kind": 12, "metadata": []}']) {
      const res = await put(repo, body, { query: '?format=kubernetes' });
      expect(res.statusCode, body).toBe(422);
      expect(res.json()).toMatchObject({ code: 'nothing_readable' });
      expect(res.json().errors[0]).toEqual({ path: expect.any(String), message: expect.any(String) });
      expect(res.json().detail).toContain('the declared state is left as it was');
    }
    expect(await snapshot(repo)).toEqual(before);
  });

  it('keeps its raw-body parser to itself: other routes still parse JSON', async () => {
    const res = await server.app.inject({ method: 'POST', url: '/echo', payload: { a: 1 } });
    expect(res.json()).toEqual({ parsed: 'object' });
  });

  it('refuses a body over 50 MB with 413', async () => {
    const repo = await repositoryRow(tdb.db, tenant.envId, 'kubernetes');
    const res = await put(repo, Buffer.alloc(50 * 1024 * 1024 + 1, 0x20));
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers 401 for missing, invalid, revoked and expired tokens', async () => {
    const repo = await repositoryRow(tdb.db, tenant.envId, 'kubernetes');
    const body = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n';
    const codeOf = async (token: string | null) => {
      const res = await put(repo, body, { token });
      expect(res.statusCode).toBe(401);
      return res.json().code;
    };
    expect(await codeOf(null)).toBe('missing_token');
    expect(await codeOf('dg_abcdefgh_' + 'x'.repeat(43))).toBe('invalid_token');
    expect(await codeOf(await tokenRow(tdb.db, tenant.orgId, tenant.envId, 'scanner', { revoked: true }))).toBe('revoked_token');
    expect(await codeOf(await tokenRow(tdb.db, tenant.orgId, tenant.envId, 'scanner', { expired: true }))).toBe('expired_token');
    expect(await resourceIds(tdb.db, repo)).toEqual([]);
  });

  it('answers 403 for a viewer or another environment, 404 alike for a missing or foreign repository', async () => {
    const body = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n';
    const repo = await repositoryRow(tdb.db, tenant.envId, 'kubernetes');

    const viewer = await put(repo, body, { token: await tokenRow(tdb.db, tenant.orgId, null, 'viewer') });
    expect(viewer.statusCode).toBe(403);
    const staging = await environmentRow(tdb.db, tenant.orgId, 'staging');
    const otherEnv = await put(repo, body, { token: await tokenRow(tdb.db, tenant.orgId, staging, 'scanner') });
    expect(otherEnv.statusCode).toBe(403);
    const orgWide = await put(repo, body, { token: await tokenRow(tdb.db, tenant.orgId, null, 'engineer') });
    expect(orgWide.statusCode).toBe(200);

    const other = await tenantRows(tdb.db);
    const foreign = await repositoryRow(tdb.db, other.envId, 'kubernetes');
    const admin = await tokenRow(tdb.db, tenant.orgId, null, 'admin');
    const foreignRes = await put(foreign, body, { token: admin });
    const missingRes = await put(2_000_000_000, body, { token: admin });
    expect(foreignRes.statusCode).toBe(404);
    expect(missingRes.statusCode).toBe(404);
    const strip = (p: Record<string, unknown>) => ({ ...p, detail: undefined, instance: undefined });
    expect(strip(foreignRes.json())).toEqual(strip(missingRes.json()));
    expect(foreignRes.json().detail).toBe(`no IaC repository ${foreign} in your organization`);
    expect((await put('abc', body, { token: admin })).statusCode).toBe(404);
    expect(await resourceIds(tdb.db, foreign)).toEqual([]);
  });
});
