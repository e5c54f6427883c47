import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MASTER_KEY, seedDrift, testChannels } from './api-fixtures.js';
import { generateToken } from '@driftguard/runtime';
import { startApi } from './identity.harness.js';

/**
 * Schema-driven fuzzing from the api's own OpenAPI document: for every operation, requests built
 * from its declared parameters and body (valid ones and arbitrary JSON), sent with an admin token.
 * No answer may be a 5xx, and every answer must match the response schema declared for its status.
 */

type Schema = { [key: string]: unknown };
interface Operation {
  parameters?: { in: string; name: string; required?: boolean; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}

const RUNS = 200;
// Routes outside the token-authenticated JSON surface: browser redirects of the OpenID Connect flow and session sign-out.
const SKIPPED = new Set(['/v1/auth/oidc/login', '/v1/auth/oidc/callback', '/v1/auth/logout']);

const h = await startApi('api_fuzz', { DG_MASTER_KEY: MASTER_KEY, DG_API_RATE_LIMIT: '1000000' }, { channels: testChannels() });
afterAll(async () => h.stop());
const seeded = [
  await seedDrift(h.db, h.a.envId, { address: 'aws_instance.a' }),
  await seedDrift(h.db, h.b.envId, { address: 'aws_instance.b' }),
];
const knownIds = [h.a.envId, h.b.envId, ...seeded.flatMap((s) => [s.driftId, s.recommendationId, s.notificationId])];
const doc = (await h.call('GET', '/openapi.json')).body as { paths: Record<string, Record<string, Operation>> };

const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
addFormats.default(ajv);
const validators = new Map<Schema, ValidateFunction>();
const validatorOf = (schema: Schema) => {
  let v = validators.get(schema);
  if (!v) validators.set(schema, (v = ajv.compile(schema)));
  return v;
};

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** A fast-check arbitrary of values valid under a JSON Schema (the subset zod emits). */
function arbitraryOf(s: Schema, depth = 0): fc.Arbitrary<unknown> {
  if ('const' in s) return fc.constant(s['const']);
  if (Array.isArray(s['enum'])) return fc.constantFrom(...(s['enum'] as unknown[]));
  const union = (s['anyOf'] ?? s['oneOf']) as Schema[] | undefined;
  if (union) return fc.oneof(...union.map((x) => arbitraryOf(x, depth)));
  const type = Array.isArray(s['type']) ? (s['type'] as string[])[0] : (s['type'] as string | undefined);
  const minLength = num(s['minLength']) ?? 0;
  const maxLength = Math.min(num(s['maxLength']) ?? 40, Math.max(minLength, 40));
  switch (type) {
    case 'string': {
      if (s['format'] === 'date-time')
        return fc
          .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString());
      if (s['format'] === 'date')
        return fc
          .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10));
      if (s['format'] === 'email') return fc.emailAddress();
      if (typeof s['pattern'] === 'string') {
        try {
          return fc
            .stringMatching(new RegExp(s['pattern']))
            .filter((x) => x.length >= minLength && x.length <= (num(s['maxLength']) ?? Infinity));
        } catch {
          // A pattern fast-check cannot generate from (lookaheads): plain strings, mostly refused.
          return fc.string({ minLength, maxLength });
        }
      }
      return fc.string({ minLength, maxLength });
    }
    case 'integer': {
      const min = num(s['minimum']) ?? (num(s['exclusiveMinimum']) ?? -1_000_001) + 1;
      return fc.integer({ min: Math.max(min, -1_000_000), max: Math.min(num(s['maximum']) ?? 1_000_000, 2_147_483_647) });
    }
    case 'number':
      return fc.double({ min: num(s['minimum']) ?? -1e6, max: num(s['maximum']) ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(depth > 3 ? fc.constant(null) : arbitraryOf((s['items'] as Schema | undefined) ?? {}, depth + 1), {
        minLength: num(s['minItems']) ?? 0,
        maxLength: Math.max(num(s['minItems']) ?? 0, Math.min(num(s['maxItems']) ?? 3, 3)),
      });
    case 'object': {
      const props = (s['properties'] as Record<string, Schema> | undefined) ?? {};
      const required = (s['required'] as string[] | undefined) ?? [];
      if (Object.keys(props).length === 0)
        return fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
      return fc.record(
        Object.fromEntries(Object.entries(props).map(([k, v]) => [k, depth > 3 ? fc.constant(null) : arbitraryOf(v, depth + 1)])),
        { requiredKeys: required.filter((k) => k in props) },
      );
    }
    case undefined:
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Values as a query string or path carries them. */
const asParam = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function requestArbitrary(path: string, op: Operation) {
  const params = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const jsonBody = op.requestBody?.content['application/json']?.schema;
  const id = fc.oneof(
    fc.constantFrom(...knownIds.map(String)),
    fc.integer({ min: -5, max: 3_000_000_000 }).map(String),
    fc.string({ maxLength: 12 }),
  );
  // Each parameter mostly absent, else mostly valid, sometimes any text: so that valid requests are common too.
  const query = fc.record(
    Object.fromEntries(
      queryParams.map((p) => [
        p.name,
        fc.oneof(
          { weight: 6, arbitrary: fc.constant(undefined) },
          { weight: 3, arbitrary: arbitraryOf(p.schema).map(asParam) },
          { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
        ),
      ]),
    ),
  );
  const body = jsonBody
    ? fc.oneof({ weight: 3, arbitrary: arbitraryOf(jsonBody) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) })
    : fc.constant(undefined);
  return fc
    .record({ ids: fc.array(id, { minLength: pathParams.length, maxLength: pathParams.length }), query, body })
    .map(({ ids, query, body }) => {
      let url = path;
      pathParams.forEach((p, i) => (url = url.replace(`{${p.name}}`, encodeURIComponent(ids[i] ?? '1'))));
      const qs = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string'));
      return { url: qs.size > 0 ? `${url}?${qs.toString()}` : url, body };
    });
}

const operations = Object.entries(doc.paths)
  .filter(([path]) => path.startsWith('/v1/') && !SKIPPED.has(path))
  .flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => method !== 'head')
      .map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
  );

describe('every operation of /openapi.json under schema-driven fuzzing', () => {
  it('covers the control plane', () => {
    expect(operations.length).toBeGreaterThan(40);
  });

  for (const { path, method, op } of operations) {
    it(`${method} ${path}: ${RUNS} requests, no 5xx, every answer as declared`, async () => {
      // A fresh admin token per operation: fuzzing DELETE /v1/tokens/{id} may revoke the one before.
      const t = generateToken();
      await h.db
        .insertInto('api_tokens')
        .values({
          organization_id: h.a.id,
          name: `fuzz-${method}-${path}`.slice(0, 100),
          token_prefix: t.prefix,
          token_hash: t.hash,
          role: 'admin',
        })
        .execute();
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(requestArbitrary(path, op), async ({ url, body }) => {
          const r = await h.call(method, url, {
            token: t.token,
            body: method === 'GET' || method === 'DELETE' ? undefined : body,
          });
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          expect(r.status, `${method} ${url} ${r.text.slice(0, 300)}`).toBeLessThan(500);
          const declared = op.responses[String(r.status)];
          expect(declared, `${method} ${url}: undeclared status ${r.status}`).toBeDefined();
          const type = (r.headers.get('content-type') ?? '').split(';')[0] ?? '';
          const content = declared?.content?.[type];
          expect(content, `${method} ${url}: ${r.status} as undeclared ${type}`).toBeDefined();
          if (content && (type === 'application/json' || type === 'application/problem+json')) {
            const validate = validatorOf(content.schema);
            expect(
              validate(r.body),
              `${method} ${url} ${r.status}: ${ajv.errorsText(validate.errors)} ${r.text.slice(0, 300)}`,
            ).toBe(true);
          }
        }),
        { numRuns: RUNS, seed: 20261201 },
      );
      // The requests reached the operation: not every one refused at the door.
      const authenticated = [...statuses].filter(([status]) => status !== 401 && status !== 403).reduce((n, [, c]) => n + c, 0);
      expect(authenticated, JSON.stringify([...statuses])).toBeGreaterThan(RUNS / 2);
    }, 60_000);
  }
});
