import { describe, expect, it } from 'vitest';
import type { Observation } from '../model/observation.js';
import { compileIgnoreRules } from '../rules/ignore.rules.js';
import { readDeclaredState } from './tfstate.reader.js';
import { terraformPlanAdapter } from './terraform-plan.adapter.js';
import { driftctlCoverage } from './tfstate.adapter.js';

const drift = (address: string, actions: string[], before: unknown, after: unknown, extra: Record<string, unknown> = {}) => ({
  address,
  mode: 'managed',
  type: address.split('.')[0],
  name: address.split('.')[1],
  provider_name: 'registry.terraform.io/hashicorp/aws',
  change: { actions, before, after, after_unknown: {}, before_sensitive: {}, after_sensitive: {}, ...extra },
});
const plan = (resource_drift: unknown[], prior: unknown[] = []) => ({
  format_version: '1.2',
  resource_drift,
  resource_changes: [],
  prior_state: { format_version: '1.0', values: { root_module: { resources: prior } } },
});

describe('terraform plan adapter', () => {
  it('delete drift is deleted; data sources and unknown values are not drift', () => {
    const out = terraformPlanAdapter(
      plan([
        drift('aws_s3_bucket.gone', ['delete'], { id: 'b1', acl: 'private' }, null),
        { ...drift('aws_ami.x', ['read'], null, { id: 'ami-1' }), mode: 'data' },
        drift(
          'aws_instance.web',
          ['update'],
          { id: 'i-1', ami: 'a', private_ip: '10.0.0.1' },
          { id: 'i-1', ami: 'a', private_ip: null },
          { after_unknown: { private_ip: true } },
        ),
      ]),
      {},
    );
    expect(out.observations.map((o) => [o.kind, o.resource.address])).toEqual([
      ['deleted', 'aws_s3_bucket.gone'],
      ['in_sync', 'aws_instance.web'],
    ]);
  });

  it('a drift entry with actions that are not drift is rejected with its pointer', () => {
    const out = terraformPlanAdapter(plan([drift('aws_s3_bucket.b', ['create'], null, { id: 'b' })]), {});
    expect(out.observations).toEqual([]);
    expect(out.rejected).toEqual([
      { path: '/resource_drift/0/change/actions', reason: 'actions [create] are not a drift (expected update, delete or no-op)' },
    ]);
  });

  it('a whole sensitive value (`true` mirror) is masked', () => {
    const out = terraformPlanAdapter(
      plan([
        drift(
          'aws_db_instance.db',
          ['update'],
          { id: 'd', password: 'a' },
          { id: 'd', password: 'b' },
          { before_sensitive: { password: true } },
        ),
      ]),
      {},
    );
    const [o] = out.observations as Extract<Observation, { kind: 'modified' }>[];
    expect(o!.changes).toEqual([
      expect.objectContaining({ path: '/password', declared: '(sensitive)', actual: '(sensitive)', sensitive: true }),
    ]);
  });

  it('ignore rules drop changes; a modified resource left without changes is in sync and counted', () => {
    const out = terraformPlanAdapter(
      plan([drift('aws_instance.web', ['update'], { id: 'i-1', tags: { a: '1' } }, { id: 'i-1', tags: { a: '2' } })]),
      {
        ignore: compileIgnoreRules([{ id: 3, resourceType: 'aws_instance', propertyPath: '/tags', syntax: 'json_pointer' }]),
      },
    );
    expect(out.observations.map((o) => o.kind)).toEqual(['in_sync']);
    expect(out.suppressed).toEqual({ resources: 0, changes: 1 });
  });

  it('module resources of prior_state are in sync with their module address', () => {
    const out = terraformPlanAdapter(
      {
        format_version: '1.2',
        prior_state: {
          values: {
            root_module: {
              child_modules: [
                {
                  address: 'module.net',
                  resources: [
                    {
                      address: 'module.net.aws_vpc.main',
                      mode: 'managed',
                      type: 'aws_vpc',
                      name: 'main',
                      values: { id: 'vpc-1' },
                    },
                  ],
                },
              ],
            },
          },
        },
      },
      {},
    );
    expect(out.observations).toEqual([
      {
        kind: 'in_sync',
        resource: {
          address: 'module.net.aws_vpc.main',
          type: 'aws_vpc',
          name: 'main',
          module: 'module.net',
          physicalId: 'vpc-1',
        },
      },
    ]);
  });
});

describe('readDeclaredState (tfstate v4)', () => {
  const state = {
    version: 4,
    resources: [
      { mode: 'data', type: 'aws_ami', name: 'x', provider: 'provider.aws', instances: [{ attributes: { id: 'ami-1' } }] },
      {
        module: 'module.app',
        mode: 'managed',
        type: 'aws_db_instance',
        name: 'db',
        each: 'map',
        provider: 'module.app.provider["registry.terraform.io/hashicorp/aws"].west',
        instances: [
          {
            index_key: 'primary',
            status: 'tainted',
            attributes: { id: 'db-1', arn: 'arn:aws:rds:db-1', password: 'p', settings: [{ token: 't' }] },
            sensitive_attributes: [
              [{ type: 'get_attr', value: 'password' }],
              [
                { type: 'get_attr', value: 'settings' },
                { type: 'index', value: { value: 0, type: 'number' } },
                { type: 'get_attr', value: 'token' },
              ],
            ],
          },
          { index_key: 'old', deposed: '00000001', attributes: { id: 'db-0' } },
        ],
      },
      {
        mode: 'managed',
        type: 'aws_iam_role',
        name: 'r',
        provider: 'provider.aws',
        instances: [{ attributes: { arn: 'arn:aws:iam::1:role/r', name: 'r' } }],
      },
    ],
  };

  it('skips data sources and deposed objects, reads for_each keys, providers, tainted and sensitive paths', () => {
    expect(readDeclaredState(state)).toEqual([
      {
        address: 'module.app.aws_db_instance.db["primary"]',
        type: 'aws_db_instance',
        name: 'db',
        module: 'module.app',
        index: 'primary',
        provider: 'registry.terraform.io/hashicorp/aws',
        physicalId: 'db-1',
        tainted: true,
        attributes: { id: 'db-1', arn: 'arn:aws:rds:db-1', password: 'p', settings: [{ token: 't' }] },
        sensitivePaths: ['/password', '/settings/0/token'],
      },
      {
        address: 'aws_iam_role.r',
        type: 'aws_iam_role',
        name: 'r',
        provider: 'aws',
        physicalId: 'arn:aws:iam::1:role/r',
        attributes: { arn: 'arn:aws:iam::1:role/r', name: 'r' },
        sensitivePaths: [],
      },
    ]);
  });

  it('refuses an old state version and a document that is not a state', () => {
    expect(() => readDeclaredState({ version: 3, resources: [] })).toThrow(/version 3/);
    expect(() => readDeclaredState({ hello: 'world' })).toThrow(/neither "resources"/);
  });
});

describe('driftctl coverage arithmetic', () => {
  it('matches int(float32(managed)/float32(total)*100)', () => {
    expect(driftctlCoverage(2, 6)).toBe(33);
    expect(driftctlCoverage(7, 10)).toBe(70);
    expect(driftctlCoverage(0, 0)).toBe(0);
    expect(driftctlCoverage(3, 3)).toBe(100);
  });
});
