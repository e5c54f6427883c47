import { describe, expect, it } from 'vitest';
import { cloudformationAdapter } from './cloudformation.adapter.js';
import { nativeAdapter } from './native.adapter.js';
import { terraformPlanAdapter } from './terraform-plan.adapter.js';
import { toFindings } from '../lifecycle/drift-items.js';
import { ScanFormatError } from '../model/scan-format.error.js';
import { createValueHasher } from '../sensitivity/index.js';

/** A fixed key: these tests look at drift shapes, not at hash values. */
const hasher = createValueHasher(Buffer.alloc(32, 1));

const plan = (extra: Record<string, unknown>) => ({
  format_version: '1.2',
  resource_drift: [
    {
      address: 'aws_instance.web',
      mode: 'managed',
      type: 'aws_instance',
      name: 'web',
      provider_name: 'registry.terraform.io/hashicorp/aws',
      change: {
        actions: ['update'],
        before: { id: 'i-1', instance_type: 't3.micro' },
        after: { id: 'i-1', instance_type: 't3.large' },
        after_unknown: {},
        before_sensitive: {},
        after_sensitive: {},
      },
    },
  ],
  resource_changes: [],
  ...extra,
});

const cfn = (id: string, timestamp: string | undefined) => ({
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/1',
  LogicalResourceId: id,
  PhysicalResourceId: `${id}-phys`,
  ResourceType: 'AWS::SQS::Queue',
  ExpectedProperties: '{"DelaySeconds":20}',
  ActualProperties: '{"DelaySeconds":120}',
  PropertyDifferences: [{ PropertyPath: '/DelaySeconds', ExpectedValue: '20', ActualValue: '120', DifferenceType: 'NOT_EQUAL' }],
  StackResourceDriftStatus: 'MODIFIED',
  ...(timestamp ? { Timestamp: timestamp } : {}),
});

describe('when the scanner observed the infrastructure', () => {
  it('takes a Terraform plan’s timestamp for the scan and each drift', () => {
    const out = terraformPlanAdapter(plan({ timestamp: '2026-11-29T22:15:03Z' }), {});
    expect(out.observedAt).toBe('2026-11-29T22:15:03.000Z');
    expect(out.observations.map((o) => o.observedAt)).toEqual(['2026-11-29T22:15:03.000Z']);
    expect(toFindings(1, 'terraform-plan', out.observations, hasher).drifts[0]!.observedAt).toBe('2026-11-29T22:15:03.000Z');
  });

  it('leaves it to the submission time when a plan has no timestamp, and says why when it is not a date-time', () => {
    expect(terraformPlanAdapter(plan({}), {}).observations[0]!.observedAt).toBeUndefined();
    const bad = terraformPlanAdapter(plan({ timestamp: 'yesterday' }), {});
    expect(bad.observations[0]!.observedAt).toBeUndefined();
    expect(bad.rejected).toEqual([{ path: '/timestamp', reason: expect.stringContaining('submission time') }]);
  });

  it('gives each CloudFormation resource drift its own Timestamp and the scan the latest', () => {
    const out = cloudformationAdapter(
      {
        StackResourceDrifts: [
          cfn('A', '2023-05-23T08:42:44.951000+00:00'),
          cfn('B', '2023-05-23T09:31:32.470Z'),
          cfn('C', undefined),
        ],
      },
      {},
    );
    expect(out.observations.map((o) => [o.resource.address, o.observedAt])).toEqual([
      ['A', '2023-05-23T08:42:44.951Z'],
      ['B', '2023-05-23T09:31:32.470Z'],
      ['C', '2023-05-23T09:31:32.470Z'],
    ]);
    expect(out.observedAt).toBe('2023-05-23T09:31:32.470Z');
  });

  it('reads the native contract’s observedAt and rejects a scan whose observedAt is no date-time', () => {
    const observations = [{ kind: 'added', resource: { type: 'aws_s3_bucket', physicalId: 'b1' } }];
    const out = nativeAdapter({ observedAt: '2026-11-30T01:02:03+01:00', observations }, {});
    expect(out.observations[0]!.observedAt).toBe('2026-11-30T00:02:03.000Z');
    expect(() => nativeAdapter({ observedAt: 'soon', observations }, {})).toThrow(ScanFormatError);
  });
});
