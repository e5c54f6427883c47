/** Builders of scanner outputs for lifecycle tests: small, valid, in each format's real shape. */

const STACK = 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/0f1e2d3c-aaaa-bbbb-cccc-000000000000';

export interface CfnDrift {
  id: string;
  status?: 'MODIFIED' | 'IN_SYNC' | 'DELETED' | 'NOT_CHECKED';
  diffs?: [path: string, expected: unknown, actual: unknown][];
  type?: string;
}

/** A DescribeStackResourceDrifts response. */
export function cfnDrifts(drifts: CfnDrift[], stack = STACK): string {
  return JSON.stringify({
    StackResourceDrifts: drifts.map((d) => ({
      StackId: stack,
      LogicalResourceId: d.id,
      PhysicalResourceId: `${d.id.toLowerCase()}-phys`,
      ResourceType: d.type ?? 'AWS::SQS::Queue',
      ExpectedProperties: JSON.stringify(Object.fromEntries((d.diffs ?? []).map(([p, e]) => [p.slice(1), e]))),
      ActualProperties: JSON.stringify(Object.fromEntries((d.diffs ?? []).map(([p, , a]) => [p.slice(1), a]))),
      PropertyDifferences: (d.diffs ?? []).map(([p, e, a]) => ({
        PropertyPath: p,
        ExpectedValue: JSON.stringify(e),
        ActualValue: JSON.stringify(a),
        DifferenceType: 'NOT_EQUAL',
      })),
      StackResourceDriftStatus: d.status ?? 'MODIFIED',
      Timestamp: '2026-11-30T08:00:00.000Z',
    })),
  });
}

/** A tfstate v4 file with `n` aws_instance resources, and an inventory of the same. */
export function tfstateScan(n: number, drifted: (i: number) => boolean): string {
  const resources = [];
  const inventory = [];
  for (let i = 0; i < n; i++) {
    const attributes = {
      id: `i-${i.toString(16).padStart(8, '0')}`,
      ami: 'ami-0abc',
      instance_type: 't3.micro',
      tags: { Name: `web-${i}`, team: 'platform' },
      vpc_security_group_ids: ['sg-1', 'sg-2'],
      monitoring: true,
    };
    resources.push({
      mode: 'managed',
      type: 'aws_instance',
      name: `web_${i}`,
      provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [{ schema_version: 1, attributes, sensitive_attributes: [] }],
    });
    const actual = structuredClone(attributes);
    if (drifted(i)) actual.instance_type = 't3.large';
    inventory.push({ type: 'aws_instance', id: attributes.id, attributes: actual });
  }
  return JSON.stringify({
    state: { version: 4, terraform_version: '1.9.0', serial: 1, lineage: 'bench', outputs: {}, resources },
    inventory: { resources: inventory },
  });
}
