import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startIngest, type IngestHarness } from './harness.js';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest('badinput');
});
afterAll(async () => {
  await h?.stop();
});

async function rowCounts() {
  const count = async (t: 'scans' | 'drift_events' | 'drift_changes' | 'outbox' | 'audit_log') =>
    Number(
      (
        await h.db
          .selectFrom(t)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    scans: await count('scans'),
    drifts: await count('drift_events'),
    changes: await count('drift_changes'),
    outbox: await count('outbox'),
    audit: await count('audit_log'),
  };
}

const zero = { scans: 0, drifts: 0, changes: 0, outbox: 0, audit: 0 };

function deep(n: number): string {
  return `{"StackResourceDrifts":${'['.repeat(n)}${']'.repeat(n)}}`;
}

describe('bad scans are refused with a problem naming what is wrong, and nothing is written', () => {
  const cases: [string, string, Buffer | string, Record<string, string>, number, (b: any) => void][] = [
    [
      'truncated JSON',
      'format=driftctl',
      fixture('driftctl/scan-output.v0.40.json').subarray(0, 300),
      {},
      400,
      (b) => {
        expect(b.code).toBe('malformed_json');
        expect(b.detail).toMatch(/line \d+/);
      },
    ],
    [
      'a CloudFormation file sent as a Terraform plan',
      'format=terraform-plan',
      fixture('cloudformation/describe-stack-resource-drifts.awscli-lambda-not-equal.json'),
      {},
      422,
      (b) => {
        expect(b.code).toBe('wrong_format');
        expect(b.format).toBe('terraform-plan');
      },
    ],
    ['an unknown format', 'format=pulumi', '{}', {}, 400, (b) => expect(b.errors[0].path).toBe('query.format')],
    [
      'an unknown environment',
      'format=driftctl&env=nope/nothing',
      fixture('driftctl/scan-output.v0.40.json'),
      {},
      404,
      (b) => expect(b.detail).toMatch(/nope\/nothing/),
    ],
    [
      '10,000-deep nesting',
      'format=cloudformation',
      deep(10_000),
      {},
      400,
      (b) => {
        expect(b.code).toBe('too_deep');
        expect(b.errors[0].path).toMatch(/^\/StackResourceDrifts\/0\/0/);
      },
    ],
    [
      'a __proto__ key',
      'format=cloudformation',
      '{"StackResourceDrifts":[{"__proto__":{"polluted":true}}]}',
      {},
      400,
      (b) => {
        expect(b.code).toBe('forbidden_key');
        expect(b.errors[0].path).toBe('/StackResourceDrifts/0/__proto__');
      },
    ],
    [
      'wrong types',
      'format=cloudformation',
      '{"StackResourceDrifts":"all good"}',
      {},
      422,
      (b) => {
        expect(b.code).toBe('invalid_structure');
        expect(b.errors[0].path).toBe('/StackResourceDrifts');
        expect(b.detail).toMatch(/array/);
      },
    ],
    [
      'NUL in a value',
      'format=driftctl',
      String.raw`{"summary":{},"managed":[{"id":"a\u0000b","type":"aws_s3_bucket"}],"unmanaged":[],"missing":[]}`,
      {},
      422,
      (b) => {
        expect(b.code).toBe('unrepresentable_value');
        expect(b.errors[0].path).toBe('/managed/0/id');
      },
    ],
    [
      'NUL in a key',
      'format=driftctl',
      String.raw`{"summary":{},"managed":[{"id":"a","type":"aws_s3_bucket","tags":{"k\u0000":"v"}}],"unmanaged":[],"missing":[]}`,
      {},
      422,
      (b) => {
        expect(b.code).toBe('unrepresentable_value');
        expect(b.errors[0].path).toBe('/managed/0/tags/k\u0000');
      },
    ],
    [
      'a lone surrogate',
      'format=driftctl',
      String.raw`{"summary":{},"managed":[{"id":"\ud800x","type":"aws_s3_bucket"}],"unmanaged":[],"missing":[]}`,
      {},
      422,
      (b) => {
        expect(b.code).toBe('unrepresentable_value');
        expect(b.errors[0].path).toBe('/managed/0/id');
        expect(b.detail).toMatch(/surrogate/);
      },
    ],
    [
      '1e400 beside finite numbers',
      'format=driftctl',
      '{"summary":{"total_resources":3},"coverage":1e400,"managed":[],"unmanaged":[],"missing":[]}',
      {},
      422,
      (b) => {
        expect(b.code).toBe('unrepresentable_value');
        expect(b.errors[0].path).toBe('/coverage');
      },
    ],
    [
      'a key given twice in one object',
      'format=driftctl',
      '{"summary":{},"managed":[{"id":"a","type":"aws_s3_bucket","id":"b"}],"unmanaged":[],"missing":[]}',
      {},
      400,
      (b) => {
        expect(b.code).toBe('duplicate_key');
        expect(b.errors[0].path).toBe('/managed/0/id');
      },
    ],
    [
      'a body that claims gzip but is not',
      'format=driftctl',
      'not gzip at all',
      { 'content-encoding': 'gzip' },
      400,
      (b) => expect(b.detail).toMatch(/gzip/),
    ],
    ['an empty body', 'format=driftctl', '', {}, 400, (b) => expect(b.detail).toMatch(/empty/)],
  ];

  it.each(cases)('%s', async (_name, query, body, headers, status, check) => {
    const r = await h.post(`/v1/scans?${query}`, body, headers);
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(r.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
    check(r.body);
    expect(await rowCounts()).toEqual(zero);
  });

  it('refuses a wrong, a missing and a read-only token', async () => {
    const body = fixture('driftctl/scan-output.v0.40.json');
    expect(
      (await h.post('/v1/scans?format=driftctl', body, {}, 'dg_aaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb')).status,
    ).toBe(401);
    const res = await fetch(`${h.url}/v1/scans?format=driftctl`, { method: 'POST', body });
    expect(res.status).toBe(401);
    expect(await rowCounts()).toEqual(zero);
  });

  it('refuses a body over 50 MB, compressed or not', async () => {
    const big = Buffer.alloc(51 * 1024 * 1024, 0x20);
    const r = await h.post('/v1/scans?format=driftctl', big);
    expect(r.status).toBe(413);
    expect(r.body.detail).toMatch(/too large|exceeds|limit/i);
    expect(r.body).toMatchObject({ limit: 'maxWireBytes', max: 50 * 1024 * 1024 });
    expect(await rowCounts()).toEqual(zero);
  });

  it('stays up and accepts a good scan afterwards, gzip included', async () => {
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    const r = await h.post('/v1/scans?format=driftctl', gzipSync(fixture('driftctl/scan-output.v0.40.json')), {
      'content-encoding': 'gzip',
    });
    expect(r.status).toBe(202);
    const scan = await h.waitForScan(r.body.scanId);
    expect(scan.counts.driftsOpened).toBe(4);
  });
});
