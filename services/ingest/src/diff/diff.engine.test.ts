import { describe, expect, it } from 'vitest';
import type { Json, PropertyChange } from '../model/observation.js';
import { diffResource } from './diff.engine.js';

const brief = (changes: PropertyChange[]) =>
  changes.map(({ path, changeType, declared, actual }) => ({ path, changeType, declared, actual }));
const tf = (declared: Json, actual: Json, resourceType = 'aws_instance') =>
  brief(diffResource(declared, actual, { resourceType }));

describe('diffResource: pointers and change types', () => {
  it('reports leaves with RFC 6901 pointers, escaping ~ and /', () => {
    expect(tf({ tags: { 'a/b': '1', 'c~d': 'x' } }, { tags: { 'a/b': '2', 'c~d': 'x', e: 'new' } })).toEqual([
      { path: '/tags/a~1b', changeType: 'modified', declared: '1', actual: '2' },
      { path: '/tags/e', changeType: 'added', declared: undefined, actual: 'new' },
    ]);
  });

  it('calls a value only in declared removed, only in actual added', () => {
    expect(tf({ a: 1, b: 2 }, { b: 2, c: 3 })).toEqual([
      { path: '/a', changeType: 'removed', declared: 1, actual: undefined },
      { path: '/c', changeType: 'added', declared: undefined, actual: 3 },
    ]);
  });

  it('reports a block present on one side leaf by leaf', () => {
    expect(tf({ versioning: null }, { versioning: { enabled: true, mfa_delete: false } })).toEqual([
      { path: '/versioning/enabled', changeType: 'added', declared: undefined, actual: true },
      { path: '/versioning/mfa_delete', changeType: 'added', declared: undefined, actual: false },
    ]);
  });

  it('compares ordered lists index by index and reports extra elements whole', () => {
    expect(tf({ dns: ['a', 'b'] }, { dns: ['a', 'c', { x: 1 }] })).toEqual([
      { path: '/dns/1', changeType: 'modified', declared: 'b', actual: 'c' },
      { path: '/dns/2', changeType: 'added', declared: undefined, actual: { x: 1 } },
    ]);
  });

  it('a key named like an Object.prototype member is data, not inherited', () => {
    expect(tf({ tags: {} }, { tags: { toString: 'x' } })).toEqual([
      { path: '/tags/toString', changeType: 'added', declared: undefined, actual: 'x' },
    ]);
  });
});

describe('diffResource: normalization', () => {
  it('treats null, absent, "", [] and {} as the same unset value', () => {
    expect(tf({ a: null, b: '', c: [], d: {}, e: null }, { b: null, c: null, d: null, e: [] })).toEqual([]);
  });

  it('compares stringified numbers and booleans by meaning, but two strings as written', () => {
    expect(tf({ port: 80, enabled: true, size: 1 }, { port: '80', enabled: 'true', size: '1.0' })).toEqual([]);
    expect(tf({ engine_version: '1.10' }, { engine_version: '1.1' })).toEqual([
      { path: '/engine_version', changeType: 'modified', declared: '1.10', actual: '1.1' },
    ]);
    expect(tf({ port: 80 }, { port: '8080' })).toHaveLength(1);
  });

  it('ignores provider-computed and volatile Terraform attributes', () => {
    const declared = {
      id: 'i-1',
      tags_all: { a: '1' },
      timeouts: null,
      owner_id: '1',
      last_modified: 'x',
      creation_date: 'x',
      etag: 'a',
      tags: { a: '1' },
    };
    const actual = {
      id: 'i-2',
      tags_all: { a: '1', b: '2' },
      timeouts: { create: '5m' },
      owner_id: '2',
      last_modified: 'y',
      creation_date: 'y',
      etag: 'b',
      tags: { a: '1' },
    };
    expect(tf(declared, actual, 'aws_s3_bucket')).toEqual([]);
  });

  it('ignores arn only when the declared side leaves it unset', () => {
    expect(tf({ arn: null }, { arn: 'arn:aws:s3:::b' }, 'aws_s3_bucket')).toEqual([]);
    expect(tf({ arn: 'arn:aws:s3:::a' }, { arn: 'arn:aws:s3:::b' }, 'aws_s3_bucket')).toHaveLength(1);
  });

  it('computed attributes are ignored at the top level only', () => {
    expect(tf({ settings: { id: 'a' } }, { settings: { id: 'b' } })).toEqual([
      { path: '/settings/id', changeType: 'modified', declared: 'a', actual: 'b' },
    ]);
  });
});

describe('diffResource: set-like arrays', () => {
  const rule = (cidr: string[], port: number, description = '') => ({
    cidr_blocks: cidr,
    from_port: port,
    to_port: port,
    protocol: 'tcp',
    description,
  });

  it('CIDR lists and security group rules compare without order', () => {
    const declared = {
      ingress: [rule(['10.0.0.0/8', '192.168.0.0/16'], 443), rule(['10.0.0.0/8'], 80)],
      vpc_security_group_ids: ['sg-1', 'sg-2'],
    };
    const actual = {
      ingress: [rule(['10.0.0.0/8'], 80), rule(['192.168.0.0/16', '10.0.0.0/8'], 443)],
      vpc_security_group_ids: ['sg-2', 'sg-1'],
    };
    expect(tf(declared, actual, 'aws_security_group')).toEqual([]);
  });

  it('a changed rule is one removal at its declared index and one addition at its actual index', () => {
    const declared = { ingress: [rule(['10.0.0.0/8'], 80), rule(['10.0.0.0/8'], 443)] };
    const actual = { ingress: [rule(['10.0.0.0/8'], 443), rule(['10.0.0.0/8'], 8080), rule(['10.0.0.0/8'], 9090)] };
    expect(tf(declared, actual, 'aws_security_group')).toEqual([
      { path: '/ingress/0', changeType: 'removed', declared: rule(['10.0.0.0/8'], 80), actual: undefined },
      { path: '/ingress/1', changeType: 'added', declared: undefined, actual: rule(['10.0.0.0/8'], 8080) },
      { path: '/ingress/2', changeType: 'added', declared: undefined, actual: rule(['10.0.0.0/8'], 9090) },
    ]);
  });

  it('set elements match through the same equivalences (string ports, empty fields)', () => {
    const declared = { ingress: [{ ...rule(['10.0.0.0/8'], 22), ipv6_cidr_blocks: [] }] };
    const actual = {
      ingress: [{ cidr_blocks: ['10.0.0.0/8'], from_port: '22', to_port: '22', protocol: 'tcp', ipv6_cidr_blocks: null }],
    };
    expect(tf(declared, actual, 'aws_security_group')).toEqual([]);
  });

  it('duplicates count: a set is compared as a multiset', () => {
    expect(tf({ subnet_ids: ['a', 'a'] }, { subnet_ids: ['a'] })).toEqual([
      { path: '/subnet_ids/1', changeType: 'removed', declared: 'a', actual: undefined },
    ]);
  });

  it('CloudFormation Tags match by Key and differ leafwise', () => {
    const declared = {
      Tags: [
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
      ],
    };
    const actual = {
      Tags: [
        { Key: 'b', Value: '3' },
        { Key: 'a', Value: '1' },
      ],
    };
    expect(brief(diffResource(declared, actual, { resourceType: 'AWS::S3::Bucket' }))).toEqual([
      { path: '/Tags/1/Value', changeType: 'modified', declared: '2', actual: '3' },
    ]);
  });
});

describe('diffResource: JSON policy documents', () => {
  const policy = (statements: unknown[], extra = {}) =>
    JSON.stringify({ Version: '2012-10-17', Statement: statements, ...extra });

  it('statement order, string-vs-list, list order and whitespace do not matter', () => {
    const a = policy([
      { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
      { Sid: 'List', Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: ['arn:aws:s3:::b'] },
    ]);
    const b = JSON.stringify(
      JSON.parse(
        policy([
          { Effect: 'Allow', Sid: 'List', Resource: 'arn:aws:s3:::b', Action: ['s3:GetBucketLocation', 's3:ListBucket'] },
          { Resource: ['arn:aws:s3:::b/*'], Action: ['s3:GetObject'], Effect: 'Allow', Sid: 'Read' },
        ]),
      ),
      null,
      2,
    );
    expect(tf({ policy: a }, { policy: b }, 'aws_iam_policy')).toEqual([]);
  });

  it('a policy as an object equals the same policy as a string', () => {
    const doc = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ec2.amazonaws.com' } }],
    };
    expect(tf({ assume_role_policy: JSON.stringify(doc) }, { assume_role_policy: doc as never }, 'aws_iam_role')).toEqual([]);
  });

  it('a real difference is reported once at the policy path with parsed values; Sid is compared', () => {
    const before = policy([{ Sid: 'A', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]);
    const after = policy([{ Sid: 'B', Effect: 'Allow', Action: 's3:*', Resource: '*' }]);
    const changes = diffResource({ policy: before }, { policy: after }, { resourceType: 'aws_iam_policy' });
    expect(brief(changes)).toEqual([
      { path: '/policy', changeType: 'modified', declared: JSON.parse(before), actual: JSON.parse(after) },
    ]);
    expect(changes[0]!.securityRuleIds).toEqual(['DG-IAM-001']);
  });

  it('JSON strings that are not documents are compared as text', () => {
    expect(tf({ policy: 'not json' }, { policy: 'not json!' }, 'aws_iam_policy')).toHaveLength(1);
  });
});

describe('diffResource: sensitive values', () => {
  it('masks declared and actual and keeps a hash that changes with the secret', () => {
    const ctx = { resourceType: 'aws_db_instance', sensitivePaths: ['/master_password'] };
    const [a] = diffResource({ master_password: 'old' }, { master_password: 'new' }, ctx);
    const [b] = diffResource({ master_password: 'old' }, { master_password: 'newer' }, ctx);
    const [again] = diffResource({ master_password: 'old' }, { master_password: 'new' }, ctx);
    expect(a).toMatchObject({ path: '/master_password', declared: '(sensitive)', actual: '(sensitive)', sensitive: true });
    expect(a!.valueHash).toMatch(/^[0-9a-f]{64}$/);
    expect(a!.valueHash).toBe(again!.valueHash);
    expect(a!.valueHash).not.toBe(b!.valueHash);
  });

  it('masks values under a sensitive path and secrets found by key name, including inside whole added elements', () => {
    const changes = diffResource(
      { settings: { user: 'a' }, extra: null, users: [] },
      { settings: { user: 'b' }, extra: { password: 'hunter2', name: 'x' }, users: [{ name: 'u', password: 'letmein' }] },
      { resourceType: 'aws_instance', sensitivePaths: ['/settings'] },
    );
    expect(changes.map((c) => [c.path, c.sensitive])).toEqual([
      ['/settings/user', true],
      ['/extra/password', true],
      ['/extra/name', false],
      ['/users/0', true],
    ]);
    expect(JSON.stringify(changes)).not.toMatch(/hunter2|letmein/);
  });

  it('an added secret keeps declared undefined', () => {
    const [c] = diffResource({}, { token: 't' }, { resourceType: 'aws_instance' });
    expect(c).toMatchObject({ declared: undefined, actual: '(sensitive)', changeType: 'added', sensitive: true });
  });
});

describe('diffResource: scopes and ignores', () => {
  it('onlyShared compares only top-level attributes both sides report', () => {
    expect(brief(diffResource({ a: 1, b: 2 }, { b: 3, c: 4 }, { resourceType: 'aws_instance', onlyShared: true }))).toEqual([
      { path: '/b', changeType: 'modified', declared: 2, actual: 3 },
    ]);
  });

  it('ignorePaths drops changes at or below a pattern, with * segments', () => {
    const changes = diffResource(
      { a: { x: 1, y: 1 }, list: [{ id: 1 }, { id: 2 }] },
      { a: { x: 2, y: 2 }, list: [{ id: 3 }, { id: 4 }] },
      { resourceType: 'aws_instance', ignorePaths: ['/a/x', '/list/*/id'] },
    );
    expect(changes.map((c) => c.path)).toEqual(['/a/y']);
  });

  it('attaches security rule ids to matching changes', () => {
    const [c] = diffResource({ publicly_accessible: false }, { publicly_accessible: true }, { resourceType: 'aws_db_instance' });
    expect(c!.securityRuleIds).toEqual(['DG-DB-001']);
  });
});

describe('diffResource: kubernetes profile', () => {
  const k8s = (declared: Json, actual: Json) =>
    brief(diffResource(declared, actual, { resourceType: 'apps/v1/Deployment', profile: 'kubernetes', onlyDeclared: true }));

  it('only declared fields count; server defaults are not drift', () => {
    expect(
      k8s({ spec: { replicas: 1 } }, { spec: { replicas: 1, revisionHistoryLimit: 10, strategy: { type: 'RollingUpdate' } } }),
    ).toEqual([]);
  });

  it('containers merge by name, ports by containerPort+protocol (protocol defaults to TCP)', () => {
    const declared: Json = {
      containers: [
        { name: 'b', ports: [{ containerPort: 80 }] },
        { name: 'a', image: 'x:1' },
      ],
    };
    const actual: Json = {
      containers: [
        { name: 'a', image: 'x:2' },
        {
          name: 'b',
          ports: [
            { containerPort: 80, protocol: 'TCP' },
            { containerPort: 81, protocol: 'TCP' },
          ],
        },
      ],
    };
    expect(k8s(declared, actual)).toEqual([
      { path: '/containers/1/image', changeType: 'modified', declared: 'x:1', actual: 'x:2' },
    ]);
  });

  it('quantities compare by value', () => {
    const declared = { resources: { limits: { cpu: '100m', memory: '1Gi' }, requests: { cpu: 0.5, memory: '512Mi' } } };
    const actual = { resources: { limits: { cpu: '0.1', memory: '1024Mi' }, requests: { cpu: '500m', memory: '536870912' } } };
    expect(k8s(declared, actual)).toEqual([]);
    expect(k8s({ resources: { limits: { cpu: '100m' } } }, { resources: { limits: { cpu: '200m' } } })).toHaveLength(1);
  });

  it('privileged or host namespaces switched on live are drift even when the manifest is silent', () => {
    const changes = diffResource(
      { spec: { containers: [{ name: 'a', securityContext: { runAsNonRoot: true } }] } },
      {
        spec: {
          hostNetwork: true,
          hostPID: false,
          containers: [{ name: 'a', securityContext: { runAsNonRoot: true, privileged: true } }],
        },
      },
      { resourceType: 'v1/Pod', profile: 'kubernetes', onlyDeclared: true },
    );
    expect(changes.map((c) => [c.path, c.securityRuleIds])).toEqual([
      ['/spec/containers/0/securityContext/privileged', ['DG-K8S-001']],
      ['/spec/hostNetwork', ['DG-K8S-003']],
    ]);
  });
});
