import type { ContextSignal } from '@driftguard/db';
import { describe, expect, it } from 'vitest';
import { correlationScore, matchSignal, resourceMatchKeys, signalMatchKeys } from './signal-match.js';

const signal = (over: Partial<ContextSignal>): ContextSignal => ({
  id: '1',
  organization_id: 1,
  environment_id: 1,
  context_type: 'audit_event',
  external_system: 'cloudtrail',
  external_id: 'x',
  occurred_at: new Date('2026-01-01T00:00:00Z'),
  resource_refs: [],
  actor: null,
  data: {},
  received_at: new Date('2026-01-01T00:00:00Z'),
  match_keys: [],
  ...over,
});

describe('matchSignal', () => {
  const instance = { type: 'aws_instance', address: 'aws_instance.web', physicalId: 'i-0abc123def4567890' };

  it('matches an ARN ending in the physical id', () => {
    const s = signal({ resource_refs: ['arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc123def4567890'] });
    expect(matchSignal(s, instance)).toBe('resource');
  });

  it('matches a Kubernetes audit object ref by namespace and name', () => {
    const s = signal({ external_system: 'kubernetes', resource_refs: ['apps/deployments/shop/checkout'] });
    expect(matchSignal(s, { type: 'apps/v1/Deployment', namespace: 'shop', name: 'checkout' })).toBe('resource');
  });

  it('matches a resource name listed by the signal, but not the same word in its body', () => {
    const bucket = { type: 'aws_s3_bucket', name: 'customer-exports' };
    expect(matchSignal(signal({ resource_refs: ['arn:aws:s3:::customer-exports'] }), bucket)).toBe('resource');
    expect(matchSignal(signal({ data: { note: 'customer-exports' } }), bucket)).toBeNull();
  });

  it('matches a commit changing the file declaring the resource', () => {
    const s = signal({ context_type: 'git_commit', external_system: 'github', resource_refs: ['infra/web.tf'] });
    expect(matchSignal(s, { ...instance, source: 'infra/web.tf' })).toBe('declaring_file');
  });

  it('ties an incident naming nothing to the environment, and drops an audit event of another resource', () => {
    expect(matchSignal(signal({ context_type: 'incident', resource_refs: ['checkout-api'] }), instance)).toBe('environment');
    expect(matchSignal(signal({ resource_refs: ['arn:aws:ec2:eu-west-1:1:instance/i-0ffffffffffffffff'] }), instance)).toBeNull();
  });
});

describe('correlationScore', () => {
  it('ranks a resource match above an environment-wide one and decays with time', () => {
    expect(correlationScore('resource', 0)).toBe(0.9);
    expect(correlationScore('resource', 6 * 3600_000)).toBeLessThan(correlationScore('resource', 0));
    expect(correlationScore('environment', 0)).toBeLessThan(correlationScore('declaring_file', 0));
  });
});

describe('match keys', () => {
  const cases: [Partial<ContextSignal>, Parameters<typeof matchSignal>[1]][] = [
    [
      { resource_refs: ['arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc123def4567890'] },
      { type: 'aws_instance', physicalId: 'i-0abc123def4567890' },
    ],
    [
      { data: { requestParameters: { instanceId: 'i-0abc123def4567890' } } },
      { type: 'aws_instance', physicalId: 'i-0abc123def4567890' },
    ],
    [
      { data: { responseElements: { functionArn: 'arn:aws:lambda:eu-west-1:1:function:report-builder' } } },
      { type: 'aws_lambda_function', name: 'report-builder' },
    ],
    [{ resource_refs: ['arn:aws:rds:eu-west-1:1:db:orders-db'] }, { type: 'aws_db_instance', name: 'orders-db' }],
    [
      {
        external_system: 'kubernetes',
        data: { objectRef: { resource: 'deployments', apiGroup: 'apps', namespace: 'shop', name: 'checkout' } },
      },
      { type: 'apps/v1/Deployment', namespace: 'shop', name: 'checkout' },
    ],
    [
      { context_type: 'git_commit', resource_refs: ['network/security_groups.tf'] },
      { type: 'aws_security_group', source: 'git::https://github.com/acme/infra.git//network/security_groups.tf' },
    ],
    [
      { context_type: 'git_commit', resource_refs: ['modules/web/main.tf'] },
      { type: 'aws_instance', source: 'https://github.com/acme/infra.git//modules/web' },
    ],
  ];

  it('index every name a match relies on: a signal matching a resource shares a key with it', () => {
    for (const [over, resource] of cases) {
      const s = signal(over);
      expect(matchSignal(s, resource), JSON.stringify(over)).not.toBeNull();
      const keys = new Set(signalMatchKeys(s.resource_refs as string[], s.data));
      expect(
        resourceMatchKeys(resource).some((k) => keys.has(k)),
        JSON.stringify(over),
      ).toBe(true);
    }
  });

  it('gives a signal with too many names the key every resource asks for', () => {
    const many = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`k${i}`, `value-${i}`]));
    expect(signalMatchKeys([], many)).toEqual(['*']);
    expect(resourceMatchKeys({ type: 'aws_instance' })).toContain('*');
  });
});
