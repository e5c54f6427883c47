import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { driftRows, fixture, startIngest, createTenant, type IngestHarness, type Tenant } from './harness.js';

/**
 * Every real scanner output in ../shared/fixtures, submitted over HTTP, must become exactly the
 * drift rows a careful reader of the file expects. Each case runs in an environment of its own.
 */
let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest('fixtures');
});
afterAll(async () => {
  await h?.stop();
});

async function ingest(format: string, body: Buffer | string, full = false) {
  const tenant = await createTenant(h.db);
  const scanId = await h.submit(format, body, { full, token: tenant.token });
  const scan = await waitAs(tenant, scanId);
  expect(scan.status).toBe('completed');
  return { tenant, scan, rows: await driftRows(h.db, tenant.envId) };
}

async function waitAs(tenant: Tenant, scanId: string) {
  for (let i = 0; i < 600; i++) {
    const r = await h.get(`/v1/scans/${scanId}`, tenant.token);
    if (['completed', 'rejected', 'failed'].includes(r.body.status)) return r.body;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('scan did not finish');
}

const byAddress = <T extends { address?: string | undefined; physicalId?: string | undefined }>(rows: T[]) =>
  [...rows].sort((a, b) => `${a.address ?? ''}${a.physicalId ?? ''}`.localeCompare(`${b.address ?? ''}${b.physicalId ?? ''}`));

describe('CloudFormation drift results', () => {
  it('reads a Lambda NOT_EQUAL drift as one modified resource with two changes', async () => {
    const { rows, scan } = await ingest(
      'cloudformation',
      fixture('cloudformation/describe-stack-resource-drifts.awscli-lambda-not-equal.json'),
    );
    expect(rows).toHaveLength(1);
    const [d] = rows;
    expect(d).toMatchObject({
      type: 'modified',
      address: 'function',
      resourceType: 'AWS::Lambda::Function',
      physicalId: 'my-function-SEZV4XMPL4S5',
    });
    expect(d!.changes).toEqual([
      {
        path: '/MemorySize',
        declared: 128,
        actual: 256,
        changeType: 'modified',
        securityCritical: false,
        sensitive: false,
        rules: [],
      },
      {
        path: '/Timeout',
        declared: 900,
        actual: 22,
        changeType: 'modified',
        securityCritical: false,
        sensitive: false,
        rules: [],
      },
    ]);
    expect(scan.counts).toMatchObject({ resourcesSeen: 1, driftsOpened: 1, driftsUpdated: 0, driftsResolved: 0 });
  });

  it('keeps nested property paths of an SQS queue', async () => {
    const { rows } = await ingest(
      'cloudformation',
      fixture('cloudformation/describe-stack-resource-drifts.userguide-sqs-nested-path.json'),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: 'modified', address: 'Queue', resourceType: 'AWS::SQS::Queue' });
    expect(rows[0]!.changes.map((c) => [c.path, c.declared, c.actual, c.changeType])).toEqual([
      ['/DelaySeconds', 20, 120, 'modified'],
      ['/RedrivePolicy/maxReceiveCount', 10, 12, 'modified'],
    ]);
  });

  it('treats IN_SYNC as clean and a REMOVE with "null" as a removed property', async () => {
    const { rows, scan } = await ingest(
      'cloudformation',
      fixture('cloudformation/describe-stack-resource-drifts.workshop-in-sync-and-remove.json'),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      type: 'modified',
      address: 'Table1',
      resourceType: 'AWS::DynamoDB::Table',
      physicalId: 'cfn-workshop-drift-detection-Table1-173M9QVM1EZKE',
    });
    expect(rows[0]!.changes.map((c) => [c.path, c.declared, c.actual, c.changeType])).toEqual([
      ['/BillingMode', 'PROVISIONED', 'PAY_PER_REQUEST', 'modified'],
      ['/ProvisionedThroughput', { ReadCapacityUnits: 1, WriteCapacityUnits: 1 }, null, 'removed'],
    ]);
    expect(scan.counts.resourcesSeen).toBe(2);
  });

  it('refuses a drift-detection status document, saying what to send instead', async () => {
    const tenant = await createTenant(h.db);
    const r = await h.post(
      '/v1/scans?format=cloudformation',
      fixture('cloudformation/describe-stack-drift-detection-status.userguide.json'),
      {},
      tenant.token,
    );
    expect(r.status).toBe(422);
    expect(r.body.format).toBe('cloudformation');
    expect(r.body.detail).toMatch(/DescribeStackResourceDrifts/);
  });
});

describe('driftctl output', () => {
  it('reads v0.40 output: unmanaged are added, missing are deleted, managed are clean', async () => {
    const { rows, scan } = await ingest('driftctl', fixture('driftctl/scan-output.v0.40.json'));
    expect(rows.map((r) => [r.type, r.resourceType, r.physicalId]).sort()).toEqual([
      ['added', 'aws_unmanaged_resource', 'unmanaged-id-1'],
      ['added', 'aws_unmanaged_resource', 'unmanaged-id-2'],
      ['deleted', 'aws_deleted_resource', 'deleted-id-1'],
      ['deleted', 'aws_deleted_resource', 'deleted-id-2'],
    ]);
    for (const r of rows) expect(r.changes).toEqual([]);
    expect(scan.coverage).toMatchObject({ percent: 33 });
    expect(scan.counts).toMatchObject({ resourcesSeen: 6, driftsOpened: 4 });
  });

  it('reports scanner alerts without turning them into drift', async () => {
    const { rows, scan } = await ingest('driftctl', fixture('driftctl/scan-output-with-alerts.json'));
    expect(rows.map((r) => [r.type, r.resourceType, r.physicalId]).sort()).toEqual([
      ['added', 'aws_s3_bucket_notification', 'driftctl'],
      ['added', 'aws_s3_bucket_policy', 'driftctl'],
      ['deleted', 'aws_iam_access_key', 'AKIA5QYBVVD2Y6PBAAPY'],
      ['deleted', 'aws_iam_user', 'test-driftctl2'],
    ]);
    expect(scan.report.alerts).toEqual([{ resourceType: 'aws_iam_access_key', message: 'This is an alert' }]);
  });

  it('reads pre-0.40 differences as property-level changes', async () => {
    const { rows } = await ingest('driftctl', fixture('driftctl/scan-output-with-differences.pre-v0.40.json'));
    const modified = byAddress(rows.filter((r) => r.type === 'modified'));
    expect(modified.map((r) => r.physicalId).sort()).toEqual(['diff-id-1', 'diff-id-2']);
    const one = modified.find((r) => r.physicalId === 'diff-id-1')!;
    expect(one.changes.map((c) => [c.path, c.declared, c.actual, c.changeType])).toEqual([
      ['/a', 'oldValue', null, 'removed'],
      ['/new/field', null, 'newValue', 'added'],
      ['/updated/field', 'foobar', 'barfoo', 'modified'],
    ]);
    const two = modified.find((r) => r.physicalId === 'diff-id-2')!;
    expect(two.changes.map((c) => [c.path, c.declared, c.actual, c.changeType])).toEqual([
      ['/updated/field', 'foobar', 'barfoo', 'modified'],
    ]);
    expect(rows.filter((r) => r.type === 'added')).toHaveLength(2);
    expect(rows.filter((r) => r.type === 'deleted')).toHaveLength(2);
  });
});

describe('Terraform plan JSON', () => {
  it('reads resource_drift update as a modified resource', async () => {
    const { rows, scan } = await ingest('terraform-plan', fixture('terraform/plan-resource-drift.json'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: 'modified', address: 'test_instance.should_refresh', resourceType: 'test_instance' });
    expect(rows[0]!.changes.map((c) => [c.path, c.declared, c.actual, c.changeType])).toEqual([
      ['/ami', 'refresh-me', 'refreshed', 'modified'],
    ]);
    expect(scan.counts.resourcesSeen).toBe(2);
  });

  it('reads previous_address as a move, not a delete and an add', async () => {
    const { rows } = await ingest('terraform-plan', fixture('terraform/plan-moved-drift.json'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      type: 'moved',
      address: 'test_instance.should_refresh_with_move',
      previousAddress: 'test_instance.should_refresh',
    });
    expect(rows[0]!.changes.map((c) => [c.path, c.declared, c.actual])).toEqual([['/ami', 'refresh-me', 'refreshed']]);
  });

  it('reads a moved block of terraform-json as a move with no property change', async () => {
    const { rows } = await ingest('terraform-plan', fixture('terraform/plan-moved-block.tfjson.json'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: 'moved', address: 'random_id.test2', previousAddress: 'random_id.test' });
    expect(rows[0]!.changes).toEqual([]);
  });

  it.each([
    ['terraform/plan-sensitive-values.json', 0],
    ['terraform/plan-requires-replace.json', 1],
    ['terraform/plan-importing-identity.tfjson.json', 1],
  ])('finds no drift in %s, whose planned changes are configuration, not drift', async (file, seen) => {
    const { rows, scan } = await ingest('terraform-plan', fixture(file));
    expect(rows).toEqual([]);
    expect(scan.counts.resourcesSeen).toBe(seen);
  });
});

describe('Kubernetes', () => {
  it('finds exactly the declared port missing from the live container', async () => {
    const body = JSON.stringify({
      declared: fixture('kubernetes/deploy-composite-key.declared.yaml').toString(),
      live: parseYaml(fixture('kubernetes/deploy-composite-key.live.yaml').toString()),
    });
    const { rows } = await ingest('kubernetes', body);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: 'modified', resourceType: 'apps/v1/Deployment' });
    expect(rows[0]!.metadata.resource).toMatchObject({ kind: 'Deployment', name: 'test-container-ports', namespace: 'default' });
    expect(rows[0]!.changes).toHaveLength(1);
    const [c] = rows[0]!.changes;
    expect(c!.path).toMatch(/^\/spec\/template\/spec\/containers\/0\/ports\//);
    expect(c).toMatchObject({ changeType: 'removed', declared: { containerPort: 8080, name: 'metrics' } });
    expect(c!.actual).toBeNull();
  });

  it('finds no drift in an EndpointSlice that differs only in server-set fields', async () => {
    const body = JSON.stringify({
      declared: JSON.parse(fixture('kubernetes/endpointslice.declared.json').toString()),
      live: JSON.parse(fixture('kubernetes/endpointslice.live.json').toString()),
    });
    const { rows, scan } = await ingest('kubernetes', body);
    expect(rows).toEqual([]);
    expect(scan.counts.resourcesSeen).toBe(1);
  });
});

describe('tfstate with a cloud inventory', () => {
  type Inv = { type: string; id: string; attributes: Record<string, unknown> };
  /** An inventory that reports every resource of a tfstate exactly as declared. */
  function inventoryOf(state: any): Inv[] {
    return state.resources
      .filter((r: any) => r.mode === 'managed')
      .flatMap((r: any) =>
        r.instances.map((i: any) => ({ type: r.type, id: i.attributes.id, attributes: structuredClone(i.attributes) })),
      );
  }

  it('flags SSH opened to the world, and reports an unmanaged security group', async () => {
    const state = JSON.parse(fixture('driftctl/tfstate-v4-security-group.tfstate').toString());
    const inventory = inventoryOf(state);
    const sg = inventory.find((r) => r.id === 'sg-0254c038e32f25530')!;
    (sg.attributes.ingress as unknown[]).push({
      cidr_blocks: ['0.0.0.0/0'],
      description: 'debug',
      from_port: 22,
      to_port: 22,
      protocol: 'tcp',
      ipv6_cidr_blocks: [],
      prefix_list_ids: [],
      security_groups: [],
      self: false,
    });
    inventory.push({
      type: 'aws_security_group',
      id: 'sg-0ffeeunmanaged',
      attributes: { id: 'sg-0ffeeunmanaged', name: 'clickops' },
    });
    const { rows, scan } = await ingest('tfstate', JSON.stringify({ state, inventory: { resources: inventory } }), true);
    const sorted = rows.map((r) => [r.type, r.address ?? r.physicalId]).sort();
    expect(sorted).toEqual([
      ['added', 'sg-0ffeeunmanaged'],
      ['modified', 'aws_security_group.test-sg'],
    ]);
    const modified = rows.find((r) => r.type === 'modified')!;
    expect(modified.physicalId).toBe('sg-0254c038e32f25530');
    expect(modified.changes).toHaveLength(1);
    expect(modified.changes[0]).toMatchObject({
      path: '/ingress/1',
      changeType: 'added',
      securityCritical: true,
      declared: null,
    });
    expect(modified.changes[0]!.actual).toMatchObject({ from_port: 22, to_port: 22, cidr_blocks: ['0.0.0.0/0'] });
    expect(modified.changes[0]!.rules.length).toBeGreaterThan(0);
    expect(scan.coverage).toMatchObject({ managed: 2, unmanaged: 1 });
  });

  it('flags a public access block turned off as security-critical', async () => {
    const state = JSON.parse(fixture('driftctl/tfstate-v4-s3-public-access-block.tfstate').toString());
    const inventory = inventoryOf(state);
    inventory[0]!.attributes.block_public_acls = false;
    const { rows } = await ingest('tfstate', JSON.stringify({ state, inventory: { resources: inventory } }));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      type: 'modified',
      address: 'aws_s3_bucket_public_access_block.example',
      physicalId: 'elie-dev-driftctl',
    });
    expect(rows[0]!.changes).toEqual([
      expect.objectContaining({
        path: '/block_public_acls',
        declared: true,
        actual: false,
        changeType: 'modified',
        securityCritical: true,
      }),
    ]);
  });

  it('reports a module resource gone from the cloud as deleted under its module address', async () => {
    const state = JSON.parse(fixture('driftctl/tfstate-v4-module-iam-user.tfstate').toString());
    const inventory = inventoryOf(state).filter((r) => r.type !== 'aws_iam_user');
    const { rows } = await ingest('tfstate', JSON.stringify({ state, inventory: { resources: inventory } }));
    expect(rows.map((r) => [r.type, r.address, r.physicalId])).toEqual([
      ['deleted', 'module.iam_iam-user.aws_iam_user.this[0]', 'MODULE-USER'],
    ]);
  });

  it('flags an unmanaged security group open to the world and a deleted public access block as security-critical', async () => {
    const state = JSON.parse(fixture('driftctl/tfstate-v4-s3-public-access-block.tfstate').toString());
    const inventory: Inv[] = [
      {
        type: 'aws_security_group',
        id: 'sg-clickops',
        attributes: {
          id: 'sg-clickops',
          ingress: [{ cidr_blocks: ['0.0.0.0/0'], from_port: 3389, to_port: 3389, protocol: 'tcp' }],
        },
      },
      {
        type: 'aws_security_group',
        id: 'sg-private',
        attributes: { id: 'sg-private', ingress: [{ cidr_blocks: ['10.0.0.0/8'], from_port: 22, to_port: 22, protocol: 'tcp' }] },
      },
    ];
    const { rows, tenant } = await ingest('tfstate', JSON.stringify({ state, inventory: { resources: inventory } }));
    const summary = rows.map((r) => [r.type, r.address ?? r.physicalId, r.metadata.securityRuleIds.length > 0]).sort();
    expect(summary).toEqual([
      ['added', 'sg-clickops', true],
      ['added', 'sg-private', false],
      ['deleted', 'aws_s3_bucket_public_access_block.example', true],
    ]);
    const events = await h.db
      .selectFrom('outbox')
      .select('payload')
      .where('event_type', '=', 'drift.detected.v1')
      .where('subject', 'like', `%.${tenant.orgId}.${tenant.envId}`)
      .execute();
    const critical = events
      .map((e) => (e.payload as any).data)
      .filter((d) => d.isSecurityCritical)
      .map((d) => d.resource.physicalId ?? d.resource.address)
      .sort();
    expect(critical).toEqual(['elie-dev-driftctl', 'sg-clickops']);
  });
});
