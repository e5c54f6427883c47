/**
 * Every real scanner fixture in shared/fixtures, with the observations a careful reader of the
 * file expects, written out by hand.
 */
import { describe, expect, it } from 'vitest';
import type { AdapterOutput, Observation, PropertyChange } from '../src/model/observation.js';
import { ScanFormatError } from '../src/model/observation.js';
import { runAdapter } from '../src/adapters/adapter.registry.js';
import { readDeclaredState } from '../src/adapters/tfstate.reader.js';
import { diffResource } from '../src/diff/diff.engine.js';
import { compileIgnoreRules } from '../src/rules/ignore.rules.js';
import { fixtureJson, fixtureText } from './fixtures/fixture-files.js';
import { inventoryMatching, plus, withAttributes, without } from './fixtures/inventory.builders.js';

type Shape = Record<string, unknown>;

/** The parts of an observation a reader checks: kind, identity, and every change in full. */
function shape(o: Observation): Shape {
  const { resource } = o;
  const out: Shape = { kind: o.kind, type: resource.type };
  if (resource.address !== undefined) out.address = resource.address;
  if (resource.physicalId !== undefined) out.physicalId = resource.physicalId;
  if (o.kind === 'modified' || o.kind === 'moved') out.changes = o.changes.map(changeShape);
  if (o.kind === 'moved') out.previousAddress = o.previousAddress;
  if (o.kind === 'not_checked') out.status = o.status;
  return out;
}

function changeShape(c: PropertyChange): Shape {
  const out: Shape = { path: c.path, changeType: c.changeType, sensitive: c.sensitive, securityRuleIds: c.securityRuleIds };
  if (c.declared !== undefined) out.declared = c.declared;
  if (c.actual !== undefined) out.actual = c.actual;
  return out;
}

const run = (format: Parameters<typeof runAdapter>[0], body: unknown, opts = {}): AdapterOutput =>
  runAdapter(format, typeof body === 'string' ? body : JSON.stringify(body), opts);

describe('terraform plan fixtures', () => {
  it('plan-resource-drift: the refreshed ami is drift, the planned config change is not', () => {
    const out = run('terraform-plan', fixtureText('terraform/plan-resource-drift.json'));
    expect(out.observations.map(shape)).toEqual([
      {
        kind: 'modified',
        type: 'test_instance',
        address: 'test_instance.should_refresh',
        physicalId: 'placeholder',
        changes: [
          {
            path: '/ami',
            declared: 'refresh-me',
            actual: 'refreshed',
            changeType: 'modified',
            sensitive: false,
            securityRuleIds: [],
          },
        ],
      },
      { kind: 'in_sync', type: 'test_instance', address: 'test_instance.no_refresh', physicalId: 'placeholder' },
    ]);
    expect(out.resourcesSeen).toBe(2);
    expect(out.rejected).toEqual([]);
  });

  it('plan-resource-drift: the prior tfstate is the declared side the drift is measured against', () => {
    const declared = readDeclaredState(fixtureJson('terraform/plan-resource-drift.prior.tfstate'));
    expect(declared.map((d) => [d.address, d.attributes])).toEqual([
      ['test_instance.no_refresh', { ami: 'foo', id: 'placeholder' }],
      ['test_instance.should_refresh', { ami: 'refresh-me', id: 'placeholder' }],
    ]);
    const plan = fixtureJson<{ resource_drift: { change: { after: unknown } }[] }>('terraform/plan-resource-drift.json');
    const refreshed = plan.resource_drift[0]!.change.after as never;
    expect(diffResource(declared[1]!.attributes, refreshed, { resourceType: 'test_instance' }).map(changeShape)).toEqual([
      {
        path: '/ami',
        declared: 'refresh-me',
        actual: 'refreshed',
        changeType: 'modified',
        sensitive: false,
        securityRuleIds: [],
      },
    ]);
  });

  it('plan-moved-drift: a moved and refreshed resource is one moved observation with its change', () => {
    const out = run('terraform-plan', fixtureText('terraform/plan-moved-drift.json'));
    expect(out.observations.map(shape)).toEqual([
      {
        kind: 'moved',
        type: 'test_instance',
        address: 'test_instance.should_refresh_with_move',
        physicalId: 'placeholder',
        previousAddress: 'test_instance.should_refresh',
        changes: [
          {
            path: '/ami',
            declared: 'refresh-me',
            actual: 'refreshed',
            changeType: 'modified',
            sensitive: false,
            securityRuleIds: [],
          },
        ],
      },
      { kind: 'in_sync', type: 'test_instance', address: 'test_instance.no_refresh', physicalId: 'placeholder' },
    ]);
    const prior = readDeclaredState(fixtureJson('terraform/plan-moved-drift.prior.tfstate'));
    expect(prior.map((d) => d.address)).toEqual(['test_instance.no_refresh', 'test_instance.should_refresh']);
  });

  it('plan-sensitive-values: a planned create is not drift and nothing was seen', () => {
    const out = run('terraform-plan', fixtureText('terraform/plan-sensitive-values.json'));
    expect(out.observations).toEqual([]);
    expect(out.resourcesSeen).toBe(0);
  });

  it('plan-sensitive-values: a sensitive attribute that drifted is masked and hashed', () => {
    const plan = fixtureJson<Record<string, unknown>>('terraform/plan-resource-drift.json');
    const drift = (plan.resource_drift as { change: Record<string, unknown> }[])[0]!;
    drift.change.before_sensitive = { ami: true };
    drift.change.after_sensitive = { ami: true };
    const out = run('terraform-plan', plan);
    const modified = out.observations[0]!;
    expect(modified.kind).toBe('modified');
    const [change] = (modified as Extract<Observation, { kind: 'modified' }>).changes;
    expect(change).toMatchObject({ path: '/ami', declared: '(sensitive)', actual: '(sensitive)', sensitive: true });
    expect(change!.valueHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(change)).not.toContain('refresh');
  });

  it('plan-requires-replace: a forced replacement is a config change; the resource is in sync', () => {
    const out = run('terraform-plan', fixtureText('terraform/plan-requires-replace.json'));
    expect(out.observations.map(shape)).toEqual([
      { kind: 'in_sync', type: 'test_instance', address: 'test_instance.test', physicalId: 'placeholder' },
    ]);
  });

  it('plan-moved-block: a moved block is reported as moved, without changes', () => {
    const out = run('terraform-plan', fixtureText('terraform/plan-moved-block.tfjson.json'));
    expect(out.observations.map(shape)).toEqual([
      {
        kind: 'moved',
        type: 'random_id',
        address: 'random_id.test2',
        physicalId: 'uBIJLwrgNTh6OQ',
        previousAddress: 'random_id.test',
        changes: [],
      },
    ]);
    expect(out.scanner).toEqual({ name: 'terraform', version: '1.5.3' });
  });

  it('plan-importing-identity: importing is noted on the resource and is not drift', () => {
    const out = run('terraform-plan', fixtureText('terraform/plan-importing-identity.tfjson.json'));
    expect(out.observations).toEqual([
      {
        kind: 'in_sync',
        resource: {
          address: 'corner_user_identity.user',
          type: 'corner_user_identity',
          name: 'user',
          provider: 'registry.terraform.io/hashicorp/corner',
          physicalId: 'a@example.com',
          importing: true,
        },
        observedAt: '2025-04-30T11:34:17.000Z',
      },
    ]);
  });

  it('show-state-sensitive: a show -json state yields its managed resources with module, index and provider', () => {
    const declared = readDeclaredState(fixtureJson('terraform/show-state-sensitive.tfjson.json'));
    expect(
      declared.map((d) => ({
        address: d.address,
        module: d.module,
        index: d.index,
        physicalId: d.physicalId,
        sensitivePaths: d.sensitivePaths,
      })),
    ).toEqual([
      { address: 'null_resource.bar', module: undefined, index: undefined, physicalId: '346205755248437621', sensitivePaths: [] },
      { address: 'null_resource.baz[0]', module: undefined, index: 0, physicalId: '8125409023088484730', sensitivePaths: [] },
      { address: 'null_resource.baz[1]', module: undefined, index: 1, physicalId: '4055263173373670778', sensitivePaths: [] },
      { address: 'null_resource.baz[2]', module: undefined, index: 2, physicalId: '7188960170253950057', sensitivePaths: [] },
      {
        address: 'null_resource.foo',
        module: undefined,
        index: undefined,
        physicalId: '7914344597979736746',
        sensitivePaths: [],
      },
      {
        address: 'module.foo.null_resource.aliased',
        module: 'module.foo',
        index: undefined,
        physicalId: '8187802253811954885',
        sensitivePaths: [],
      },
      {
        address: 'module.foo.null_resource.foo',
        module: 'module.foo',
        index: undefined,
        physicalId: '712346592830392361',
        sensitivePaths: [],
      },
    ]);
    expect(new Set(declared.map((d) => d.provider))).toEqual(new Set(['registry.terraform.io/hashicorp/null']));
  });

  it('show-state-sensitive: null_resource has no cloud object, so an inventory scan does not call it deleted', () => {
    const out = run('tfstate', {
      state: fixtureJson('terraform/show-state-sensitive.tfjson.json'),
      inventory: { resources: [] },
    });
    expect(out.observations.map((o) => o.kind)).toEqual(Array(7).fill('not_checked'));
    expect(out.coverage).toEqual({ managed: 0, unmanaged: 0, missing: 0, percent: 0 });
  });
});

describe('tfstate fixtures against built inventories', () => {
  const pab = fixtureJson('driftctl/tfstate-v4-s3-public-access-block.tfstate');
  const sg = fixtureJson('driftctl/tfstate-v4-security-group.tfstate');
  const iam = fixtureJson('driftctl/tfstate-v4-module-iam-user.tfstate');

  it('public access block: an inventory that agrees is in sync, with full coverage', () => {
    const out = run('tfstate', { state: pab, inventory: inventoryMatching(pab) });
    expect(out.observations.map(shape)).toEqual([
      {
        kind: 'in_sync',
        type: 'aws_s3_bucket_public_access_block',
        address: 'aws_s3_bucket_public_access_block.example',
        physicalId: 'elie-dev-driftctl',
      },
    ]);
    expect(out.coverage).toEqual({ managed: 1, unmanaged: 0, missing: 0, percent: 100 });
  });

  it('public access block: block_public_policy turned off is a security-critical change', () => {
    const inventory = withAttributes(inventoryMatching(pab), 'elie-dev-driftctl', (a) => (a.block_public_policy = false));
    const out = run('tfstate', { state: pab, inventory });
    expect(out.observations.map(shape)).toEqual([
      {
        kind: 'modified',
        type: 'aws_s3_bucket_public_access_block',
        address: 'aws_s3_bucket_public_access_block.example',
        physicalId: 'elie-dev-driftctl',
        changes: [
          {
            path: '/block_public_policy',
            declared: true,
            actual: false,
            changeType: 'modified',
            sensitive: false,
            securityRuleIds: ['DG-S3-001'],
          },
        ],
      },
    ]);
  });

  it('public access block: turning a flag on is drift but not a weakening', () => {
    const inventory = withAttributes(inventoryMatching(pab), 'elie-dev-driftctl', (a) => (a.ignore_public_acls = true));
    const [o] = run('tfstate', { state: pab, inventory }).observations;
    expect(o && shape(o).changes).toEqual([
      {
        path: '/ignore_public_acls',
        declared: false,
        actual: true,
        changeType: 'modified',
        sensitive: false,
        securityRuleIds: [],
      },
    ]);
  });

  it('public access block: gone from the cloud is deleted', () => {
    const out = run('tfstate', { state: pab, inventory: without(inventoryMatching(pab), 'elie-dev-driftctl') });
    expect(out.observations.map(shape)).toEqual([
      {
        kind: 'deleted',
        type: 'aws_s3_bucket_public_access_block',
        address: 'aws_s3_bucket_public_access_block.example',
        physicalId: 'elie-dev-driftctl',
      },
    ]);
    expect(out.coverage).toEqual({ managed: 0, unmanaged: 0, missing: 1, percent: 0 });
  });

  it('security group: SSH opened to the world is one critical change; reordering, string ports, computed fields and defaults are not drift', () => {
    const sshFromAnywhere = {
      cidr_blocks: ['0.0.0.0/0'],
      description: '',
      from_port: 22,
      ipv6_cidr_blocks: [],
      prefix_list_ids: [],
      protocol: 'tcp',
      security_groups: [],
      self: false,
      to_port: 22,
    };
    let inventory = withAttributes(inventoryMatching(sg), 'sg-0254c038e32f25530', (a) => {
      const [existing] = a.ingress as Record<string, unknown>[];
      a.ingress = [sshFromAnywhere, { ...existing!, from_port: '0', to_port: '0', ipv6_cidr_blocks: null }];
      a.owner_id = '999999999999';
      a.tags_all = { Name: 'Foo SG' };
      delete a.timeouts;
      delete a.name_prefix;
    });
    // The default security group as an inventory enumerates it: type aws_security_group.
    inventory = {
      ...inventory,
      resources: inventory.resources.map((r) => (r.id === 'sg-9e0204ff' ? { ...r, type: 'aws_security_group' } : r)),
    };
    inventory = plus(
      inventory,
      { type: 'aws_security_group', id: 'sg-0ffeeunmanaged', attributes: { name: 'launch-wizard-1', ingress: [] } },
      { type: 'aws_vpc', id: 'vpc-618f6e09', attributes: { default: true, cidr_block: '172.31.0.0/16' } },
    );
    const out = run('tfstate', { state: sg, inventory });
    expect(out.observations.map(shape)).toEqual([
      {
        kind: 'in_sync',
        type: 'aws_default_security_group',
        address: 'aws_default_security_group.test-default-sg',
        physicalId: 'sg-9e0204ff',
      },
      {
        kind: 'modified',
        type: 'aws_security_group',
        address: 'aws_security_group.test-sg',
        physicalId: 'sg-0254c038e32f25530',
        changes: [
          { path: '/ingress/0', actual: sshFromAnywhere, changeType: 'added', sensitive: false, securityRuleIds: ['DG-NET-001'] },
        ],
      },
      { kind: 'added', type: 'aws_security_group', physicalId: 'sg-0ffeeunmanaged' },
    ]);
    expect(out.coverage).toEqual({ managed: 2, unmanaged: 1, missing: 0, percent: 66 });
  });

  it('module iam user: module address and index_key; a permissions boundary set outside IaC is critical; a missing key is deleted', () => {
    const declared = readDeclaredState(iam);
    expect(declared.map((d) => [d.address, d.module, d.index, d.provider])).toEqual([
      ['module.iam_iam-user.aws_iam_access_key.this_no_pgp[0]', 'module.iam_iam-user', 0, 'registry.terraform.io/hashicorp/aws'],
      ['module.iam_iam-user.aws_iam_user.this[0]', 'module.iam_iam-user', 0, 'registry.terraform.io/hashicorp/aws'],
    ]);
    const inventory = withAttributes(without(inventoryMatching(iam), 'AKIA5QYBVVD2VIEMMUIQ'), 'MODULE-USER', (a) => {
      a.permissions_boundary = 'arn:aws:iam::aws:policy/AdministratorAccess';
    });
    const out = run('tfstate', { state: iam, inventory });
    expect(out.observations.map(shape)).toEqual([
      {
        kind: 'deleted',
        type: 'aws_iam_access_key',
        address: 'module.iam_iam-user.aws_iam_access_key.this_no_pgp[0]',
        physicalId: 'AKIA5QYBVVD2VIEMMUIQ',
      },
      {
        kind: 'modified',
        type: 'aws_iam_user',
        address: 'module.iam_iam-user.aws_iam_user.this[0]',
        physicalId: 'MODULE-USER',
        changes: [
          {
            path: '/permissions_boundary',
            declared: '',
            actual: 'arn:aws:iam::aws:policy/AdministratorAccess',
            changeType: 'added',
            sensitive: false,
            securityRuleIds: ['DG-IAM-001'],
          },
        ],
      },
    ]);
  });

  it('declared state may come from an earlier upload (opts.declared)', () => {
    const out = runAdapter('tfstate', JSON.stringify({ inventory: inventoryMatching(pab) }), { declared: pab });
    expect(out.observations.map((o) => o.kind)).toEqual(['in_sync']);
  });
});

describe('driftctl fixtures', () => {
  it('scan-output.v0.40: managed in sync, unmanaged added, missing deleted, coverage from the file', () => {
    const out = run('driftctl', fixtureText('driftctl/scan-output.v0.40.json'));
    expect(out.observations.map(shape)).toEqual([
      { kind: 'in_sync', type: 'aws_diff_resource', physicalId: 'diff-id-1' },
      { kind: 'in_sync', type: 'aws_no_diff_resource', physicalId: 'no-diff-id-1' },
      { kind: 'added', type: 'aws_unmanaged_resource', physicalId: 'unmanaged-id-1' },
      { kind: 'added', type: 'aws_unmanaged_resource', physicalId: 'unmanaged-id-2' },
      { kind: 'deleted', type: 'aws_deleted_resource', address: 'module.aws_deleted_resource.name', physicalId: 'deleted-id-1' },
      { kind: 'deleted', type: 'aws_deleted_resource', physicalId: 'deleted-id-2' },
    ]);
    expect(out.observations[4]!.resource).toMatchObject({
      source: 'tfstate://delete_state.tfstate',
      module: 'module',
      name: 'name',
    });
    expect(out.coverage).toEqual({ managed: 2, unmanaged: 2, missing: 2, percent: 33 });
    expect(out.resourcesSeen).toBe(6);
    expect(out.alerts).toEqual([]);
  });

  it('scan-output-with-differences (pre-0.40): changelogs become modified resources with pointer paths, not also in sync', () => {
    const out = run('driftctl', fixtureText('driftctl/scan-output-with-differences.pre-v0.40.json'));
    const change = (path: string, changeType: string, declared?: unknown, actual?: unknown) => ({
      path,
      changeType,
      sensitive: false,
      securityRuleIds: [],
      ...(declared !== undefined ? { declared } : {}),
      ...(actual !== undefined ? { actual } : {}),
    });
    expect(out.observations.map(shape)).toEqual([
      {
        kind: 'modified',
        type: 'aws_diff_resource',
        physicalId: 'diff-id-2',
        changes: [change('/updated/field', 'modified', 'foobar', 'barfoo')],
      },
      {
        kind: 'modified',
        type: 'aws_diff_resource',
        address: 'module.aws_diff_resource.name',
        physicalId: 'diff-id-1',
        changes: [
          change('/updated/field', 'modified', 'foobar', 'barfoo'),
          change('/new/field', 'added', undefined, 'newValue'),
          change('/a', 'removed', 'oldValue'),
        ],
      },
      { kind: 'in_sync', type: 'aws_no_diff_resource', physicalId: 'no-diff-id-1' },
      { kind: 'added', type: 'aws_unmanaged_resource', physicalId: 'unmanaged-id-1' },
      { kind: 'added', type: 'aws_unmanaged_resource', physicalId: 'unmanaged-id-2' },
      { kind: 'deleted', type: 'aws_deleted_resource', address: 'module.aws_deleted_resource.name', physicalId: 'deleted-id-1' },
      { kind: 'deleted', type: 'aws_deleted_resource', physicalId: 'deleted-id-2' },
    ]);
  });

  it('scan-output-with-alerts: alerts are reported, not drift', () => {
    const out = run('driftctl', fixtureText('driftctl/scan-output-with-alerts.json'));
    expect(out.alerts).toEqual([{ resourceType: 'aws_iam_access_key', message: 'This is an alert' }]);
    expect(out.observations.map((o) => [o.kind, o.resource.type, o.resource.physicalId])).toEqual([
      ['in_sync', 'aws_iam_access_key', 'AKIA5QYBVVD25KFXJHYJ'],
      ['in_sync', 'aws_managed_resource', 'driftctl2'],
      ['added', 'aws_s3_bucket_policy', 'driftctl'],
      ['added', 'aws_s3_bucket_notification', 'driftctl'],
      ['deleted', 'aws_iam_user', 'test-driftctl2'],
      ['deleted', 'aws_iam_access_key', 'AKIA5QYBVVD2Y6PBAAPY'],
    ]);
    expect(out.coverage).toEqual({ managed: 2, unmanaged: 2, missing: 2, percent: 33 });
  });

  it('driftignore-valid: ignores exactly the resources driftctl ignores', () => {
    const m = compileIgnoreRules([], fixtureText('driftctl/driftignore-valid.driftignore'));
    const cases: [string, string, boolean][] = [
      ['type1', 'id1', false],
      ['wildcard_resource', 'id1/with/slash', true],
      ['wildcard_resource', 'id1', true],
      ['wildcard_resource', 'id2', true],
      ['ignored_resource', 'id2', true],
      ['ignored_resource', 'id3', false],
      ['resource_type', 'id.with.dots', true],
      ['resource_type', 'idwith\\', true],
      ['resource_type', 'idwith\\backslashes', true],
      ['resource_type', 'idwith/slashes', true],
      ['resource_type', 'id', false],
    ];
    for (const [type, physicalId, ignored] of cases)
      expect([type, physicalId, m.ignoresResource({ type, physicalId })]).toEqual([type, physicalId, ignored]);
    expect(m.suppressedCounts()).toEqual(
      new Map([
        ['driftignore:1', 1],
        ['driftignore:2', 3],
        ['driftignore:3', 1],
        ['driftignore:4', 1],
        ['driftignore:5', 1],
        ['driftignore:6', 1],
      ]),
    );
  });

  it('driftignore-valid: applied to a driftctl scan, ignored resources are dropped and counted', () => {
    const out = runAdapter('driftctl', fixtureText('driftctl/scan-output.v0.40.json'), {
      ignore: compileIgnoreRules([], 'aws_unmanaged_resource.*\n!aws_unmanaged_resource.unmanaged-id-2\n'),
    });
    expect(out.observations.map((o) => o.resource.physicalId)).toEqual([
      'diff-id-1',
      'no-diff-id-1',
      'unmanaged-id-2',
      'deleted-id-1',
      'deleted-id-2',
    ]);
    expect(out.suppressed).toEqual({ resources: 1, changes: 0 });
  });

  it('driftignore-fields: ignores exactly the fields driftctl ignores, and no whole resource', () => {
    const m = compileIgnoreRules([], fixtureText('driftctl/driftignore-fields.driftignore'));
    const cases: [string, string, string, boolean][] = [
      ['res_type', 'full_drift_ignored', '/json', true],
      ['res_type', 'full_drift_ignored', '/foobar', true],
      ['res_type', 'partial_drift_ignored', '/json', false],
      ['res_type', 'partial_drift_ignored', '/foobar', true],
      ['resource_type', 'id.with.dots', '/json', true],
      ['resource_type', 'idwith\\', '/json', true],
      ['resource_type', 'idwith\\backslashes', '/json', false],
      ['resource_type', 'idwith\\backslashes', '/foobar', true],
      ['res_type', 'wildcard_drift_ignored', '/struct/baz', true],
      ['res_type', 'wildcard_drift_ignored', '/struct/bar', false],
      ['res_type', 'endofpath_drift_ignored', '/struct/baz', true],
      ['res_type', 'endofpath_drift_ignored', '/struct/bar', true],
      ['res_type', 'endofpath_drift_ignored', '/other', false],
    ];
    for (const [type, physicalId, path, ignored] of cases) {
      expect([type, physicalId, path, m.ignoresPath({ type, physicalId }, path)]).toEqual([type, physicalId, path, ignored]);
    }
    for (const id of ['full_drift_ignored', 'partial_drift_ignored', 'wildcard_drift_ignored', 'endofpath_drift_ignored']) {
      expect(m.ignoresResource({ type: 'res_type', physicalId: id })).toBe(false);
    }
  });
});

describe('cloudformation fixtures', () => {
  const stack = (region: string, account: string, rest: string) => `arn:aws:cloudformation:${region}:${account}:stack/${rest}`;

  it('aws-cli lambda example: two NOT_EQUAL differences with parsed numbers', () => {
    const out = run('cloudformation', fixtureText('cloudformation/describe-stack-resource-drifts.awscli-lambda-not-equal.json'));
    expect(out.observations.map(shape)).toEqual([
      {
        kind: 'modified',
        type: 'AWS::Lambda::Function',
        address: 'function',
        physicalId: 'my-function-SEZV4XMPL4S5',
        changes: [
          { path: '/MemorySize', declared: 128, actual: 256, changeType: 'modified', sensitive: false, securityRuleIds: [] },
          { path: '/Timeout', declared: 900, actual: 22, changeType: 'modified', sensitive: false, securityRuleIds: [] },
        ],
      },
    ]);
    expect(out.observations[0]!.resource.source).toBe(
      stack('us-west-2', '123456789012', 'my-stack/d0a825a0-e4cd-xmpl-b9fb-061c69e99204'),
    );
    const modified = out.observations[0] as Extract<Observation, { kind: 'modified' }>;
    expect(modified.declared).toMatchObject({ MemorySize: 128, Timeout: 900, Handler: 'index.handler' });
    expect(modified.actual).toMatchObject({ MemorySize: 256, Timeout: 22 });
  });

  it('user guide SQS example: nested property path kept as a pointer', () => {
    const out = run(
      'cloudformation',
      fixtureText('cloudformation/describe-stack-resource-drifts.userguide-sqs-nested-path.json'),
    );
    expect(out.observations.map(shape)).toEqual([
      {
        kind: 'modified',
        type: 'AWS::SQS::Queue',
        address: 'Queue',
        physicalId: 'https://sqs.us-east-1.amazonaws.com/099908667365/my-stack-with-resource-drift-Queue-494PBHCO76H4',
        changes: [
          { path: '/DelaySeconds', declared: 20, actual: 120, changeType: 'modified', sensitive: false, securityRuleIds: [] },
          {
            path: '/RedrivePolicy/maxReceiveCount',
            declared: 10,
            actual: 12,
            changeType: 'modified',
            sensitive: false,
            securityRuleIds: [],
          },
        ],
      },
    ]);
  });

  it('workshop example: IN_SYNC is in sync; REMOVE with "null" has no actual value; bare words stay text', () => {
    const out = run(
      'cloudformation',
      fixtureText('cloudformation/describe-stack-resource-drifts.workshop-in-sync-and-remove.json'),
    );
    expect(out.observations.map(shape)).toEqual([
      {
        kind: 'in_sync',
        type: 'AWS::SQS::Queue',
        address: 'Queue1',
        physicalId: 'https://sqs.us-east-1.amazonaws.com/123456789012/cfn-workshop-drift-detection-Queue1-LhZ9kuNmNV62',
      },
      {
        kind: 'modified',
        type: 'AWS::DynamoDB::Table',
        address: 'Table1',
        physicalId: 'cfn-workshop-drift-detection-Table1-173M9QVM1EZKE',
        changes: [
          {
            path: '/ProvisionedThroughput',
            declared: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
            changeType: 'removed',
            sensitive: false,
            securityRuleIds: [],
          },
          {
            path: '/BillingMode',
            declared: 'PROVISIONED',
            actual: 'PAY_PER_REQUEST',
            changeType: 'modified',
            sensitive: false,
            securityRuleIds: [],
          },
        ],
      },
    ]);
  });

  it('detection status document: rejected as wrong_format saying what it is and what to send', () => {
    const body = fixtureText('cloudformation/describe-stack-drift-detection-status.userguide.json');
    expect(() => run('cloudformation', body)).toThrow(ScanFormatError);
    try {
      run('cloudformation', body);
    } catch (err) {
      expect(err).toMatchObject({ code: 'wrong_format', format: 'cloudformation', path: '' });
      expect((err as Error).message).toMatch(/DescribeStackDriftDetectionStatus/);
      expect((err as Error).message).toMatch(/describe-stack-resource-drifts/);
    }
  });
});

describe('kubernetes fixtures', () => {
  it('deploy-composite-key: exactly one drift, the declared metrics port 8080 missing live, attributed to its manager', () => {
    const body = {
      declared: fixtureText('kubernetes/deploy-composite-key.declared.yaml'),
      live: fixtureText('kubernetes/deploy-composite-key.live.yaml'),
    };
    const out = run('kubernetes', body);
    expect(out.observations.map(shape)).toEqual([
      {
        kind: 'modified',
        type: 'apps/v1/Deployment',
        address: 'apps/v1/Deployment/default/test-container-ports',
        physicalId: 'apps/v1/Deployment/default/test-container-ports',
        changes: [
          {
            path: '/spec/template/spec/containers/0/ports/2',
            declared: { containerPort: 8080, name: 'metrics' },
            changeType: 'removed',
            sensitive: false,
            securityRuleIds: [],
          },
        ],
      },
    ]);
    const modified = out.observations[0] as Extract<Observation, { kind: 'modified' }>;
    expect(modified.attribution).toEqual({
      managers: [
        {
          manager: 'argocd-controller',
          operation: 'Apply',
          time: '2024-01-01T00:00:00Z',
          paths: ['/spec/template/spec/containers/0/ports/2'],
        },
      ],
    });
    expect(modified.resource).toMatchObject({
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      namespace: 'default',
      name: 'test-container-ports',
    });
  });

  it('endpointslice: only server-set uid, timestamp and a controller annotation differ, so it is in sync', () => {
    const body = {
      declared: fixtureJson('kubernetes/endpointslice.declared.json'),
      live: fixtureJson('kubernetes/endpointslice.live.json'),
    };
    const out = run('kubernetes', body);
    expect(out.observations.map(shape)).toEqual([
      {
        kind: 'in_sync',
        type: 'discovery.k8s.io/v1/EndpointSlice',
        address: 'discovery.k8s.io/v1/EndpointSlice/default/test-endpoint-slice',
        physicalId: 'discovery.k8s.io/v1/EndpointSlice/default/test-endpoint-slice',
      },
    ]);
  });

  it('declared manifests may come from the repository sync (opts.declared), live as a kubectl List', () => {
    const live = { apiVersion: 'v1', kind: 'List', items: [fixtureJson('kubernetes/endpointslice.live.json')] };
    const out = runAdapter('kubernetes', JSON.stringify({ live }), {
      declared: [fixtureJson('kubernetes/endpointslice.declared.json')],
    });
    expect(out.observations.map((o) => o.kind)).toEqual(['in_sync']);
  });

  it('a declared object absent live is deleted', () => {
    const out = run('kubernetes', {
      declared: fixtureText('kubernetes/deploy-composite-key.declared.yaml'),
      live: { apiVersion: 'v1', kind: 'List', items: [] },
    });
    expect(out.observations.map(shape)).toEqual([
      { kind: 'deleted', type: 'apps/v1/Deployment', address: 'apps/v1/Deployment/default/test-container-ports' },
    ]);
  });
});
