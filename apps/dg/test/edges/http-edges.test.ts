import { createHmac } from 'node:crypto';
import { createIntegration, createRepository } from '@driftguard/api';
import { parseKeyring } from '@driftguard/db';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_INPUT_CLASSES, badBody, freeTextPath, gzipBomb, type BadInputClass, type BodyTarget } from './bad-input.classes.js';
import { sampleOf, type JsonSchema } from './schema-sample.js';
import { startStack, tableCounts, type Stack } from './stack.harness.js';
import type { ServiceName } from '../../src/service-catalog.js';

/**
 * Every route of every service, read from what each service registered and described in its
 * `/openapi.json` (so a new route is covered without listing it here), is sent each class of bad
 * input: in its path and query parameters, and in its body where it takes one. Each answer is a
 * 4xx problem (RFC 9457) naming what is wrong — never a 5xx — and no table gains or loses a row.
 */

interface Parameter {
  in: string;
  name: string;
  required?: boolean;
  schema: JsonSchema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
}
type Doc = JsonSchema & { paths: Record<string, Record<string, Operation>> };
interface Edge {
  service: ServiceName;
  method: string;
  path: string;
  op: Operation;
  doc: Doc;
}

/** The api's body limit in this suite, so an oversized body stays cheap to send. */
const API_BODY_LIMIT = 1024 * 1024;
/** Past every body limit of the ingest (50 MiB scans and declared uploads, 10 MiB context). */
const INGEST_OVERSIZED = 50 * 1024 * 1024 + 1;
/** Repetitions of a query parameter: a huge array that still fits Node's 16 KiB of request head. */
const HUGE_QUERY = 300;
const SLACK_SECRET = 'edges-slack-signing-secret-0123456789';

const stack: Stack = await startStack({ prefix: 'edges_http', env: { DG_API_BODY_LIMIT_BYTES: String(API_BODY_LIMIT) } });
afterAll(async () => stack.stop());
const keyring = parseKeyring(stack.env['DG_MASTER_KEY']!);
const repositoryId = (
  await createRepository(stack.tdb.db, {
    orgSlug: 'acme',
    envSlug: 'prod',
    tool: 'kubernetes',
    outbound: { allow: [], allowLocal: false },
  })
).id;
const integrationId = (
  await createIntegration(stack.tdb.db, { orgSlug: 'acme', envSlug: 'prod', source: 'slack', secret: SLACK_SECRET, keyring })
).id;
const edges: Edge[] = [];
for (const [service, running] of stack.services) {
  const doc = (await (await fetch(`${running.url}/openapi.json`)).json()) as Doc;
  for (const route of running.routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const op = doc.paths[path]?.[route.method.toLowerCase()];
    if (!op) throw new Error(`${service}: ${route.method} ${route.url} is not in /openapi.json`);
    edges.push({ service, method: route.method, path, op, doc });
  }
}
let bomb: Buffer;
beforeAll(() => {
  bomb = gzipBomb(256 * 1024 * 1024);
});

/** A body that is not JSON under a JSON schema: how it is framed and a valid one to start from. */
interface RawBody {
  query: Record<string, string>;
  target: Omit<BodyTarget, 'textPath'> & { textPath: (string | number)[] };
  frame: (json: Buffer) => { body: Buffer; headers: Record<string, string> };
}
const asJson = (body: Buffer) => ({ body, headers: { 'content-type': 'application/json' } });

const RAW_BODIES: Record<string, () => RawBody> = {
  'ingest POST /v1/scans': () => ({
    query: { format: 'native' },
    target: {
      sample: {
        format: 'native',
        version: 1,
        observations: [
          {
            kind: 'modified',
            resource: { type: 'aws_instance', address: 'aws_instance.edge' },
            declared: { instance_type: 't3.micro', note: 'a' },
            actual: { instance_type: 't3.large', note: 'b' },
          },
        ],
      },
      textPath: ['observations', 0, 'actual', 'note'],
      objectPath: [],
      // Items a scan cannot read are reported, not refused (the scan is accepted); its bound is
      // the number of resources, SCAN_LIMITS.maxResources (250,000).
      huge: { count: 250_001, item: {} },
    },
    frame: asJson,
  }),
  'ingest PUT /v1/repositories/{repositoryId}/declared': () => ({
    query: { format: 'kubernetes' },
    target: {
      sample: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'edge', namespace: 'default' },
        data: { mode: 'blue' },
      },
      textPath: ['data', 'mode'],
      objectPath: [],
    },
    frame: asJson,
  }),
  'ingest POST /v1/context/{source}': () => ({
    query: {},
    target: {
      sample: { id: 'deploy-1', title: 'Deploy checkout 1.2.3', service: 'checkout', start: '2026-11-30T18:00:00Z' },
      textPath: ['title'],
      objectPath: [],
    },
    frame: asJson,
  }),
  'ingest POST /v1/interactions/slack': () => ({
    query: { integration: integrationId },
    target: {
      sample: {
        type: 'block_actions',
        team: { id: 'T0ACME', domain: 'acme' },
        user: { id: 'U0ALICE', username: 'alice', name: 'alice', team_id: 'T0ACME' },
        actions: [
          {
            type: 'button',
            action_id: 'dg.acknowledge',
            block_id: 'drift:1000',
            value: JSON.stringify({ driftEventId: 1000, notificationId: 77 }),
            action_ts: '1700000001.000001',
          },
        ],
      },
      textPath: ['user', 'name'],
      objectPath: [],
    },
    // Slack's form body, signed with the integration's secret so the payload itself is judged.
    frame: (json) => {
      const body = Buffer.from(`payload=${percentEncode(json)}`);
      const ts = String(Math.floor(Date.now() / 1000));
      const signature = `v0=${createHmac('sha256', SLACK_SECRET).update(`v0:${ts}:`).update(body).digest('hex')}`;
      return {
        body,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': ts,
          'x-slack-signature': signature,
        },
      };
    },
  }),
};

/** Bytes as a form value: unreserved ASCII kept, every other byte %XX (invalid UTF-8 stays invalid). */
function percentEncode(bytes: Buffer): string {
  let out = '';
  for (const b of bytes)
    out += /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b))
      ? String.fromCharCode(b)
      : `%${b.toString(16).padStart(2, '0').toUpperCase()}`;
  return out;
}

const tokenOf = (service: ServiceName) =>
  service === 'api' ? stack.tokens.orgAdmin : service === 'ingest' ? stack.tokens.scanner : undefined;

/** A valid value for a parameter, the suite's own where the route needs one that exists. */
function paramValue(p: Parameter, doc: Doc): string {
  if (p.name === 'repositoryId') return String(repositoryId);
  if (p.name === 'env') return 'acme/prod';
  if (p.name === 'source') return 'deployment';
  if (p.name === 'integration') return integrationId;
  // An id nothing has: a request that got through would change nothing.
  if (p.in === 'path' && (p.schema['type'] === 'integer' || p.schema['type'] === 'number')) return '2000000000';
  const v = sampleOf(p.schema, doc);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

interface Sent {
  url: string;
  method: string;
  body?: Buffer;
  headers: Record<string, string>;
}

/** The url of `edge` with path parameters and query as given (values already encoded). */
function urlOf(edge: Edge, path: Record<string, string>, query: [string, string][]): string {
  const base = stack.url(edge.service) + edge.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => path[name] ?? '1');
  return query.length === 0 ? base : `${base}?${query.map(([k, v]) => `${k}=${v}`).join('&')}`;
}

function validParams(edge: Edge, raw?: RawBody) {
  const params = edge.op.parameters ?? [];
  const path = Object.fromEntries(
    params.filter((p) => p.in === 'path').map((p) => [p.name, encodeURIComponent(paramValue(p, edge.doc))]),
  );
  const query: [string, string][] = raw
    ? Object.entries(raw.query).map(([k, v]) => [k, encodeURIComponent(v)])
    : params
        .filter((p) => p.in === 'query' && (p.required || p.name === 'env'))
        .map((p) => [p.name, encodeURIComponent(paramValue(p, edge.doc))]);
  return { path, query };
}

const headersOf = (edge: Edge, extra: Record<string, string> = {}) => {
  const token = tokenOf(edge.service);
  return { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
};

// ---- parameters ----------------------------------------------------------------------------

type ParamClass = 'nul' | 'invalid_utf8' | 'lone_surrogate' | 'wrong_types' | 'huge_array' | 'proto_key';
const PARAM_CLASSES: readonly ParamClass[] = ['nul', 'invalid_utf8', 'lone_surrogate', 'wrong_types', 'huge_array', 'proto_key'];
const PARAM_VALUES: Record<'nul' | 'invalid_utf8' | 'lone_surrogate', string> = {
  nul: 'edge%00value',
  invalid_utf8: 'edge%FF%FEvalue',
  // A surrogate has no UTF-8 form: its CESU bytes are what can arrive.
  lone_surrogate: 'edge%ED%A0%80value',
};

/** A value of another type than the parameter's, or undefined when any text is valid. */
function wrongValue(p: Parameter): string | undefined {
  const s = p.schema;
  const type = Array.isArray(s['type']) ? (s['type'] as string[])[0] : s['type'];
  if (type === 'integer' || type === 'number') return 'not-a-number';
  if (type === 'boolean') return 'perhaps';
  if (Array.isArray(s['enum']) || 'const' in s || s['format'] !== undefined || s['pattern'] !== undefined) return 'no-such-value';
  if (p.in === 'path') return 'no-such-id';
  return undefined;
}

function paramRequest(edge: Edge, cls: ParamClass): { sent: Sent; strict: boolean } | undefined {
  const params = edge.op.parameters ?? [];
  if (params.length === 0) return undefined;
  const raw = RAW_BODIES[`${edge.service} ${edge.method} ${edge.path}`]?.();
  const valid = validParams(edge, raw);
  const path = { ...valid.path };
  let query = [...valid.query];
  let strict = true;
  const queryParams = params.filter((p) => p.in === 'query');
  switch (cls) {
    case 'nul':
    case 'invalid_utf8':
    case 'lone_surrogate':
      for (const p of params) {
        if (p.in === 'path') path[p.name] = PARAM_VALUES[cls];
        if (p.in === 'query') query = [...query.filter(([k]) => k !== p.name), [p.name, PARAM_VALUES[cls]]];
      }
      break;
    case 'wrong_types': {
      const wrong = params
        .map((p) => [p, wrongValue(p)] as const)
        .filter((e): e is readonly [Parameter, string] => e[1] !== undefined);
      // Where every parameter takes any text, no type can be wrong: the answer only must not be a 5xx.
      strict = wrong.length > 0;
      for (const [p, v] of wrong) {
        if (p.in === 'path') path[p.name] = v;
        if (p.in === 'query') query = [...query.filter(([k]) => k !== p.name), [p.name, v]];
      }
      break;
    }
    case 'huge_array':
      if (queryParams.length === 0) return undefined;
      for (const p of queryParams) {
        const v = query.find(([k]) => k === p.name)?.[1] ?? encodeURIComponent(paramValue(p, edge.doc));
        query = [
          ...query.filter(([k]) => k !== p.name),
          ...Array.from({ length: HUGE_QUERY }, () => [p.name, v] as [string, string]),
        ];
        break;
      }
      break;
    case 'proto_key':
      // Unknown query keys are ignored; this one must only not pollute or fail.
      strict = false;
      query = [...query, ['__proto__[polluted]', '1'], ['constructor[prototype][polluted]', '1'], ['__proto__.polluted', '1']];
      break;
    default: {
      const never: never = cls;
      throw new Error(`unknown class ${String(never)}`);
    }
  }
  return { sent: { url: urlOf(edge, path, query), method: edge.method, headers: headersOf(edge) }, strict };
}

// ---- bodies --------------------------------------------------------------------------------

type BodyClass = BadInputClass | 'oversized' | 'gzip_bomb';
const BODY_CLASSES: readonly BodyClass[] = [...BAD_INPUT_CLASSES, 'oversized', 'gzip_bomb'];

/** What the detail of a refused body names, per class (any detail for the others). */
const NAMES: Partial<Record<BodyClass, RegExp>> = {
  invalid_utf8: /UTF-8|utf8|encoding|unicode/i,
  nul: /NUL|\\u0000|null character/i,
  lone_surrogate: /surrogate|unicode/i,
  proto_key: /__proto__|forbidden|prototype/i,
  constructor_key: /constructor|forbidden|prototype/i,
  deep_nesting: /deep|nest|depth/i,
  oversized: /large|limit|exceed/i,
};

function bodyRequest(edge: Edge, cls: BodyClass): Sent | undefined {
  const key = `${edge.service} ${edge.method} ${edge.path}`;
  const content = edge.op.requestBody?.content ?? {};
  const jsonSchema = content['application/json']?.schema;
  const rawOf = RAW_BODIES[key];
  if (!jsonSchema && !rawOf) {
    if (Object.keys(content).length > 0)
      throw new Error(`${key} takes a ${Object.keys(content).join(', ')} body: give it a base in RAW_BODIES`);
    return undefined;
  }
  const raw = rawOf?.();
  const { path, query } = validParams(edge, raw);
  let target: BodyTarget;
  if (raw) target = raw.target;
  else {
    const sample = sampleOf(jsonSchema!, edge.doc);
    target = { sample, textPath: freeTextPath(sample, () => true), objectPath: [] };
  }
  const frame = raw?.frame ?? asJson;
  let framed: { body: Buffer; headers: Record<string, string> };
  if (cls === 'oversized') {
    // Announced by its length and cut short: the limit is judged on the header, before reading.
    const size = edge.service === 'api' ? API_BODY_LIMIT + 1 : INGEST_OVERSIZED;
    const f = frame(Buffer.from('{}'));
    framed = { body: Buffer.alloc(64 * 1024, 0x20), headers: { ...f.headers, 'content-length': String(size) } };
  } else if (cls === 'gzip_bomb') {
    const f = frame(Buffer.from(JSON.stringify(target.sample)));
    framed = { body: bomb, headers: { ...f.headers, 'content-encoding': 'gzip' } };
  } else framed = frame(badBody(cls, target));
  return { url: urlOf(edge, path, query), method: edge.method, body: framed.body, headers: headersOf(edge, framed.headers) };
}

// ---- the suite -----------------------------------------------------------------------------

interface Answer {
  status: number;
  type: string;
  text: string;
}

async function send(s: Sent): Promise<Answer> {
  if (s.headers['content-length'] !== undefined) return sendAnnounced(s);
  const res = await fetch(s.url, { method: s.method, headers: s.headers, ...(s.body === undefined ? {} : { body: s.body }) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** Sends the head with its announced length and only part of the body, then reads the answer. */
function sendAnnounced(s: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(s.url, { method: s.method, headers: s.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text });
        req.destroy();
      });
    });
    req.on('error', reject);
    req.write(s.body ?? Buffer.alloc(0));
  });
}

function expectProblem(where: string, a: Answer, names?: RegExp): void {
  expect(a.status, `${where}: ${a.status} ${a.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(a.status, `${where}: ${a.text.slice(0, 300)}`).toBeLessThan(500);
  expect(a.type, `${where}: ${a.text.slice(0, 200)}`).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(a.text) as { type?: string; title?: string; status?: number; detail?: string };
  expect(problem, where).toMatchObject({ type: expect.any(String), title: expect.any(String), status: a.status });
  expect(problem.detail?.length ?? 0, `${where}: a detail`).toBeGreaterThan(5);
  if (names) expect(problem.detail, `${where}: the detail names what is wrong`).toMatch(names);
}

async function checkEdge(edge: Edge): Promise<string[]> {
  const where = `${edge.service} ${edge.method} ${edge.path}`;
  const failures: string[] = [];
  const before = await tableCounts(stack);
  const checks: Promise<void>[] = [];
  for (const cls of PARAM_CLASSES) {
    const r = paramRequest(edge, cls);
    if (!r) continue;
    checks.push(
      send(r.sent).then((a) => {
        try {
          if (r.strict) expectProblem(`${where} [params: ${cls}]`, a);
          else expect(a.status, `${where} [params: ${cls}]: ${a.text.slice(0, 300)}`).toBeLessThan(500);
        } catch (err) {
          failures.push((err as Error).message.split('\n')[0]!);
        }
      }),
    );
  }
  for (const cls of BODY_CLASSES) {
    const s = bodyRequest(edge, cls);
    if (!s) continue;
    checks.push(
      send(s).then((a) => {
        try {
          expectProblem(`${where} [body: ${cls}]`, a, NAMES[cls]);
        } catch (err) {
          failures.push((err as Error).message.split('\n')[0]!);
        }
      }),
    );
  }
  await Promise.all(checks);
  const after = await tableCounts(stack);
  const changed = Object.keys(after).filter((t) => after[t] !== before[t]);
  if (changed.length > 0) failures.push(`${where}: rows changed in ${changed.join(', ')}`);
  return failures;
}

describe('bad input at every HTTP edge', () => {
  it('covers the routes of every service', () => {
    const services = new Set(edges.map((e) => e.service));
    expect([...services].sort()).toEqual(['analysis', 'api', 'ingest', 'notifier', 'recommender']);
    expect(edges.filter((e) => e.op.requestBody).length).toBeGreaterThan(20);
    expect(edges.length).toBeGreaterThan(60);
  });

  it.each(edges.map((e) => [`${e.service} ${e.method} ${e.path}`, e] as const))(
    '%s answers a 4xx problem naming what is wrong, never a 5xx, and writes nothing',
    async (_name, edge) => {
      expect(await checkEdge(edge)).toEqual([]);
      expect(Object.prototype).not.toHaveProperty('polluted');
    },
  );

  it('leaves every service answering', async () => {
    for (const name of stack.services.keys()) expect((await fetch(`${stack.url(name)}/healthz`)).status, name).toBe(200);
    const whoami = await fetch(`${stack.url('api')}/v1/whoami`, {
      headers: { authorization: `Bearer ${stack.tokens.orgAdmin}` },
    });
    expect(whoami.status).toBe(200);
    const scan = await fetch(`${stack.url('ingest')}/v1/scans?format=native`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.tokens.scanner}`, 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'native', version: 1, observations: [] }),
    });
    expect(scan.status).toBe(202);
  });
});
