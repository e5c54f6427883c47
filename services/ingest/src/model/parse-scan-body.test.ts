import { describe, expect, it } from 'vitest';
import { ScanFormatError } from './scan-format.error.js';
import { parseScanBody } from './parse-scan-body.js';
import { runAdapter } from '../adapters/adapter.registry.js';

function caught(fn: () => unknown): ScanFormatError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ScanFormatError) return err;
    throw err;
  }
  throw new Error('expected a ScanFormatError');
}

describe('parseScanBody', () => {
  it('reports truncated JSON with line, column and offset', () => {
    const err = caught(() => parseScanBody('terraform-plan', '{\n  "format_version": "1.2",\n  "resource_drift": [\n'));
    expect(err).toMatchObject({ code: 'malformed_json', format: 'terraform-plan' });
    expect(err.message).toMatch(/line 4, column 1 \(offset 51\)/);
    expect(err.message).toMatch(/truncated/);
  });

  it('locates a syntax error whose engine message has no position', () => {
    const err = caught(() => parseScanBody('native', '{"observations": [1, 2,, 3]}'));
    expect(err.code).toBe('malformed_json');
    expect(err.message).toMatch(/line 1, column 24 \(offset 23\)/);
    expect(err.path).toBe('/observations/2');
  });

  it('rejects 10,000-deep nesting before parsing, naming where', () => {
    const body = '{"a":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}';
    const err = caught(() => parseScanBody('native', body));
    expect(err.code).toBe('too_deep');
    expect(err.path).toBe('/a' + '/0'.repeat(255));
    expect(err.message).toMatch(/deeper than 256/);
  });

  it('accepts exactly 256 levels', () => {
    const body = '['.repeat(256) + ']'.repeat(256);
    expect(() => parseScanBody('native', body)).not.toThrow();
  });

  it('does not count brackets inside strings', () => {
    const body = JSON.stringify({ s: '['.repeat(5000), t: 'a\\"[[' });
    expect(parseScanBody('native', body)).toEqual({ s: '['.repeat(5000), t: 'a\\"[[' });
  });

  it('rejects __proto__ keys with their pointer, including escaped spellings', () => {
    expect(caught(() => parseScanBody('driftctl', '{"managed":[{"__proto__":{"polluted":true}}]}'))).toMatchObject({
      code: 'forbidden_key',
      path: '/managed/0/__proto__',
    });
    expect(caught(() => parseScanBody('driftctl', '{"x":{"\\u005f_proto__":1}}'))).toMatchObject({
      code: 'forbidden_key',
      path: '/x/__proto__',
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects constructor.prototype payloads but accepts a harmless "constructor" string', () => {
    expect(caught(() => parseScanBody('native', '{"a":{"constructor":{"prototype":{"x":1}}}}'))).toMatchObject({
      code: 'forbidden_key',
      path: '/a/constructor',
    });
    expect(parseScanBody('native', '{"tags":{"constructor":"alice"}}')).toEqual({ tags: { constructor: 'alice' } });
  });

  it('refuses bodies over the size limit', () => {
    expect(caught(() => parseScanBody('native', Buffer.alloc(2048, 32), { maxBytes: 1024 }))).toMatchObject({
      code: 'too_large',
    });
  });

  it('refuses invalid UTF-8', () => {
    expect(caught(() => parseScanBody('native', Buffer.from([0x7b, 0xff, 0x7d])))).toMatchObject({ code: 'malformed_json' });
  });

  it('reads YAML for kubernetes, with forbidden keys and syntax errors reported', () => {
    expect(parseScanBody('kubernetes', 'declared: []\nlive: []\n')).toEqual({ declared: [], live: [] });
    expect(caught(() => parseScanBody('kubernetes', 'live:\n  __proto__:\n    a: 1\n'))).toMatchObject({
      code: 'forbidden_key',
      path: '/live/__proto__',
    });
    expect(caught(() => parseScanBody('kubernetes', 'a: [1, 2\n'))).toMatchObject({ code: 'malformed_json' });
  });
});

describe('adapters on bad input', () => {
  it('a CloudFormation drift file sent as terraform-plan is wrong_format and says what it is', () => {
    const body = JSON.stringify({ StackResourceDrifts: [] });
    const err = caught(() => runAdapter('terraform-plan', body));
    expect(err).toMatchObject({ code: 'wrong_format', format: 'terraform-plan', path: '' });
    expect(err.message).toMatch(/format_version/);
    expect(err.message).toMatch(/CloudFormation/);
    expect(err.message).toMatch(/"cloudformation"/);
  });

  it('a plan without drift, changes or prior state names what is missing', () => {
    const err = caught(() => runAdapter('terraform-plan', '{"format_version":"1.2"}'));
    expect(err.message).toMatch(/resource_drift.*resource_changes.*prior_state/);
  });

  it('StackResourceDrifts that is not an array is invalid_structure at its path', () => {
    const err = caught(() => runAdapter('cloudformation', '{"StackResourceDrifts":{"LogicalResourceId":"x"}}'));
    expect(err).toMatchObject({ code: 'invalid_structure', format: 'cloudformation', path: '/StackResourceDrifts' });
    expect(err.message).toMatch(/must be an array, got an object/);
  });

  it('resource_drift that is not an array is invalid_structure', () => {
    const err = caught(() => runAdapter('terraform-plan', '{"format_version":"1.2","resource_drift":"nope"}'));
    expect(err).toMatchObject({ code: 'invalid_structure', path: '/resource_drift' });
  });

  it('one malformed item is rejected with its pointer while the rest is read', () => {
    const body = JSON.stringify({
      StackResourceDrifts: [
        { LogicalResourceId: 'A', ResourceType: 'AWS::SQS::Queue', StackResourceDriftStatus: 'IN_SYNC', StackId: 's' },
        { LogicalResourceId: 'B' },
      ],
    });
    const out = runAdapter('cloudformation', body);
    expect(out.observations.map((o) => o.kind)).toEqual(['in_sync']);
    expect(out.rejected).toEqual([
      {
        path: '/StackResourceDrifts/1',
        reason: 'StackResourceDrift needs LogicalResourceId, ResourceType and StackResourceDriftStatus',
      },
    ]);
  });

  it('driftctl output with a non-array managed list is invalid_structure', () => {
    const err = caught(() => runAdapter('driftctl', '{"summary":{},"managed":{},"unmanaged":[],"missing":[]}'));
    expect(err).toMatchObject({ code: 'invalid_structure', path: '/managed' });
  });

  it('a tfstate scan without an inventory, or a kubernetes scan without live objects, is wrong_format', () => {
    expect(caught(() => runAdapter('tfstate', '{"version":4,"resources":[]}'))).toMatchObject({ code: 'wrong_format' });
    expect(caught(() => runAdapter('kubernetes', '{"declared":[]}'))).toMatchObject({ code: 'wrong_format' });
  });

  it('a native scan with a wrongly typed field is invalid_structure naming it', () => {
    const err = caught(() => runAdapter('native', '{"observations":[],"resourcesSeen":"ten"}'));
    expect(err).toMatchObject({ code: 'invalid_structure', path: '/resourcesSeen' });
  });
});
