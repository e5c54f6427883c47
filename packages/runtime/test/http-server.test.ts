import { connectBus, type Bus } from '@driftguard/bus';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { trace } from '@opentelemetry/api';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError, createHttpServer, NotFoundError, startTelemetry, type HttpServer, type Telemetry } from '../src/index.js';
import { capturingLogger, closedPort, NATS_URL } from './support.js';

let testDb: TestDatabase;
let bus: Bus;
let telemetry: Telemetry;

beforeAll(async () => {
  telemetry = startTelemetry({ serviceName: 'runtime-test' });
  testDb = await createTestDatabase('runtime_http');
  bus = await connectBus({ url: NATS_URL, name: 'runtime-http-test', log: capturingLogger().log });
});

afterAll(async () => {
  await bus?.close();
  await testDb?.destroy();
  await telemetry?.shutdown();
});

function server(checks: Record<string, () => Promise<unknown>>, log = capturingLogger().log): HttpServer {
  return createHttpServer({ log, serviceName: 'test', checks });
}

describe('/healthz and /readyz', () => {
  it('answers /healthz while a dependency is down', async () => {
    const http = server({ database: () => Promise.reject(new Error('down')) });
    const res = await http.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    await http.close();
  });

  it('returns 503 naming the failing check when NATS is unreachable, without error details', async () => {
    const port = await closedPort();
    const captured = capturingLogger();
    const http = server(
      {
        database: () => sql`select 1`.execute(testDb.db),
        nats: async () => {
          const unreachable = await connectBus({ url: `nats://u:natspass@127.0.0.1:${port}`, name: 'probe', log: captured.log });
          await unreachable.close();
        },
      },
      captured.log,
    );
    const res = await http.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not_ready', checks: { database: 'ok', nats: 'failed' } });
    expect(res.body).not.toContain('natspass');
    expect(res.body).not.toContain(String(port));
    expect(captured.text()).not.toContain('natspass');
    await http.close();
  });

  it('returns 503 with status timeout when a check hangs', async () => {
    const http = createHttpServer({
      log: capturingLogger().log,
      serviceName: 'test',
      readinessTimeoutMs: 100,
      checks: { database: () => new Promise(() => undefined) },
    });
    const res = await http.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not_ready', checks: { database: 'timeout' } });
    await http.close();
  });

  it('returns 200 when real PostgreSQL and NATS answer, and 503 once shutting down', async () => {
    const http = server({ database: () => sql`select 1`.execute(testDb.db), nats: () => bus.ping() });
    const port = await http.listen(0, '127.0.0.1');
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { database: 'ok', nats: 'ok' } });
    http.markShuttingDown();
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
    await http.close();
    await http.close();
  });
});

describe('/metrics', () => {
  it('serves Prometheus text with process metrics and the request-duration histogram', async () => {
    const http = server({});
    http.app.get('/v1/things/:id', async () => ({ ok: true }));
    await http.app.inject({ method: 'GET', url: '/v1/things/42' });
    const res = await http.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('# TYPE http_request_duration_seconds histogram');
    expect(res.body).toContain(
      'http_request_duration_seconds_count{service="test",method="GET",route="/v1/things/:id",status_code="200"} 1',
    );
    expect(res.body).toContain('process_cpu_user_seconds_total');
    await http.close();
  });
});

describe('errors as problem JSON', () => {
  const http = server({});
  http.app.get('/missing', async () => {
    throw new NotFoundError('drift 9 not found');
  });
  http.app.post('/dup', async () => {
    throw new ConflictError('slug taken', 'duplicate');
  });
  http.app.get('/boom', async () => {
    throw new Error('connect to postgres://dg:s3cret@db failed');
  });
  http.app.post('/things', { schema: { body: z.object({ name: z.string().min(2), size: z.number().int() }) } }, async () => ({
    ok: true,
  }));
  afterAll(() => http.close());

  it('maps a named error to its status with type, title, detail and instance', async () => {
    const res = await http.app.inject({ method: 'GET', url: '/missing?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toEqual({
      type: 'https://driftguard.dev/problems/not-found',
      title: 'Not Found',
      status: 404,
      detail: 'drift 9 not found',
      instance: '/missing?x=1',
      code: 'not_found',
    });
    expect((await http.app.inject({ method: 'POST', url: '/dup' })).json()).toMatchObject({
      status: 409,
      type: 'https://driftguard.dev/problems/duplicate',
    });
  });

  it('lists each invalid field of a body that fails its zod schema', async () => {
    const res = await http.app.inject({ method: 'POST', url: '/things', payload: { name: 'x', size: 'big' } });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ errors: Array<{ path: string; message: string }> }>();
    expect(body).toMatchObject({ status: 400, title: 'Bad Request', type: 'https://driftguard.dev/problems/invalid-request' });
    expect(body.errors.map((e) => e.path).sort()).toEqual(['body.name', 'body.size']);
  });

  it('answers a body in another media type with 415 and an oversized one with 413 naming the limit', async () => {
    const text = await http.app.inject({
      method: 'POST',
      url: '/things',
      payload: '<name>x</name>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(text.statusCode).toBe(415);
    expect(text.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(text.json()).toMatchObject({
      type: 'https://driftguard.dev/problems/unsupported-media-type',
      code: 'unsupported_media_type',
      status: 415,
    });
    const small = createHttpServer({ log: capturingLogger().log, serviceName: 'test', checks: {}, bodyLimit: 64 });
    small.app.post('/things', async () => ({ ok: true }));
    const big = await small.app.inject({ method: 'POST', url: '/things', payload: { name: 'x'.repeat(100) } });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({
      type: 'https://driftguard.dev/problems/payload-too-large',
      limit: 'request_body_bytes',
      max: 64,
    });
    await small.close();
  });

  it('hides the details of a 5xx', async () => {
    const res = await http.app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      type: 'https://driftguard.dev/problems/internal-error',
      title: 'Internal Server Error',
      status: 500,
      detail: 'the request failed; the service logged why',
      instance: '/boom',
      code: 'internal_error',
    });
    expect(res.body).not.toContain('s3cret');
  });

  it('refuses JSON no table can keep, naming what and where, before the schema or the route sees it', async () => {
    const post = (payload: string | Buffer) =>
      http.app.inject({ method: 'POST', url: '/things', payload, headers: { 'content-type': 'application/json' } });
    const cases: [string | Buffer, string, RegExp, string][] = [
      ['{"name":"a\\u0000b","size":1}', 'unrepresentable_value', /NUL/, 'body/name'],
      ['{"name":"a\\ud800b","size":1}', 'unrepresentable_value', /surrogate/, 'body/name'],
      [Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'invalid_encoding', /UTF-8/, 'body'],
      ['{"name":"ab","size":1,"__proto__":{"polluted":true}}', 'forbidden_key', /__proto__/, 'body/__proto__'],
      [
        '{"name":"ab","size":1,"x":{"constructor":{"prototype":{"polluted":true}}}}',
        'forbidden_key',
        /constructor/,
        'body/x/constructor',
      ],
      [`{"name":"ab","size":1,"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 'too_deep', /deeper than 512/, 'body'],
      ['{"name":"ab",', 'malformed_json', /not JSON/, 'body'],
      ['', 'empty_body', /empty/, ''],
    ];
    for (const [payload, code, detail, path] of cases) {
      const res = await post(payload);
      expect(res.statusCode, code).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const body = res.json<{ code: string; detail: string; errors: { path: string }[] }>();
      expect(body.code).toBe(code);
      expect(body.detail).toMatch(detail);
      if (path) expect(body.errors[0]?.path).toBe(path);
    }
    expect(Object.prototype).not.toHaveProperty('polluted');
    const ok = await post('{"name":"ünïcode ✓ 𝄞","size":1}');
    expect(ok.statusCode).toBe(200);
  });

  it('answers a URL the router cannot decode with a 400 problem', async () => {
    const res = await http.app.inject({ method: 'GET', url: '/missing/%FF%FE' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 400, code: 'bad_url', detail: expect.stringContaining('cannot be read') });
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await http.app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ status: 404, type: 'https://driftguard.dev/problems/route-not-found' });
  });
});

describe('request spans', () => {
  it('continues an incoming traceparent and puts the trace id on log lines', async () => {
    const captured = capturingLogger();
    const http = server({}, captured.log);
    http.app.get('/traced', async (request) => {
      request.log.info('inside handler');
      return { traceId: trace.getActiveSpan()?.spanContext().traceId ?? null };
    });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await http.app.inject({
      method: 'GET',
      url: '/traced',
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(res.json()).toEqual({ traceId });
    expect(captured.lines.find((l) => l['msg'] === 'inside handler')).toMatchObject({ trace_id: traceId });

    const fresh = (await http.app.inject({ method: 'GET', url: '/traced' })).json<{ traceId: string }>();
    expect(fresh.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh.traceId).not.toBe(traceId);
    await http.close();
  });
});
