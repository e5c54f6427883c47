import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeclaredFormatError } from '../src/declared/declared-format.error.js';
import { readDeclared } from '../src/declared/read-declared.js';
import { readKubernetesManifests } from '../src/declared/kubernetes.reader.js';
import { readCloudFormationTemplate } from '../src/declared/cloudformation.reader.js';
import { FIXTURES } from './declared.support.js';

const fixture = (path: string) => readFileSync(resolve(FIXTURES, path));
const ids = (r: { resources: { resourceType: string; resourceId: string }[] }) =>
  r.resources.map((x) => `${x.resourceType} ${x.resourceId}`);

function formatError(fn: () => unknown): DeclaredFormatError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DeclaredFormatError) return err;
    throw err;
  }
  throw new Error('expected a DeclaredFormatError');
}

describe('terraform declared state', () => {
  it('names module resources by their full instance address', () => {
    const read = readDeclared({ tool: 'terraform', bytes: fixture('driftctl/tfstate-v4-module-iam-user.tfstate') });
    expect(ids(read)).toEqual([
      'aws_iam_access_key module.iam_iam-user.aws_iam_access_key.this_no_pgp[0]',
      'aws_iam_user module.iam_iam-user.aws_iam_user.this[0]',
    ]);
    expect(read.rejected).toEqual([]);
    expect(read.resources[1]!.declaredState).toMatchObject({
      arn: 'arn:aws:iam::929327065333:user/MODULE-USER',
      name: 'MODULE-USER',
    });
  });

  it('reads Terraform 0.12 states with legacy provider addresses', () => {
    const read = readDeclared({ tool: 'terraform', bytes: fixture('driftctl/tfstate-v4-security-group.tfstate') });
    expect(ids(read)).toEqual([
      'aws_default_security_group aws_default_security_group.test-default-sg',
      'aws_security_group aws_security_group.test-sg',
    ]);
  });

  it('reads the prior states of the terraform fixtures', () => {
    for (const file of ['terraform/plan-resource-drift.prior.tfstate', 'terraform/plan-moved-drift.prior.tfstate']) {
      expect(ids(readDeclared({ tool: 'terraform', bytes: fixture(file) }))).toEqual([
        'test_instance test_instance.no_refresh',
        'test_instance test_instance.should_refresh',
      ]);
    }
    expect(
      ids(readDeclared({ tool: 'terraform', bytes: fixture('driftctl/tfstate-v4-s3-public-access-block.tfstate') })),
    ).toEqual(['aws_s3_bucket_public_access_block aws_s3_bucket_public_access_block.example']);
  });

  it('reads terraform show -json state across child modules, with count indexes', () => {
    const read = readDeclared({ tool: 'terraform', bytes: fixture('terraform/show-state-sensitive.tfjson.json') });
    expect(ids(read)).toEqual([
      'null_resource null_resource.bar',
      'null_resource null_resource.baz[0]',
      'null_resource null_resource.baz[1]',
      'null_resource null_resource.baz[2]',
      'null_resource null_resource.foo',
      'null_resource module.foo.null_resource.aliased',
      'null_resource module.foo.null_resource.foo',
    ]);
    expect(read.resources[0]!.declaredState).toEqual({ id: '346205755248437621', triggers: { foo_id: '7914344597979736746' } });
  });

  it('masks the values Terraform marks sensitive and skips data sources and deposed objects', () => {
    const state = {
      version: 4,
      terraform_version: '1.9.0',
      serial: 3,
      lineage: 'x',
      outputs: {},
      resources: [
        {
          mode: 'data',
          type: 'aws_caller_identity',
          name: 'me',
          provider: 'provider["registry.terraform.io/hashicorp/aws"]',
          instances: [{ attributes: { id: '1' } }],
        },
        {
          mode: 'managed',
          type: 'aws_db_instance',
          name: 'main',
          provider: 'provider["registry.terraform.io/hashicorp/aws"]',
          instances: [
            {
              schema_version: 1,
              attributes: {
                id: 'db-1',
                password: 'hunter2-secret',
                tags: { owner: 'team', token: 't0ken-value' },
                rules: [{ cidr: '10.0.0.0/8' }],
              },
              sensitive_attributes: [
                [{ type: 'get_attr', value: 'password' }],
                [
                  { type: 'get_attr', value: 'tags' },
                  { type: 'index', value: { value: 'token', type: 'string' } },
                ],
              ],
            },
            { deposed: 'a1b2c3d4', attributes: { id: 'db-old', password: 'old' } },
          ],
        },
        {
          mode: 'managed',
          type: 'aws_instance',
          name: 'web',
          each: 'map',
          provider: 'provider["registry.terraform.io/hashicorp/aws"]',
          instances: [{ index_key: 'blue', attributes: { id: 'i-1' } }],
        },
      ],
    };
    const read = readDeclared({ tool: 'terraform', bytes: Buffer.from(JSON.stringify(state)) });
    expect(ids(read)).toEqual(['aws_db_instance aws_db_instance.main', 'aws_instance aws_instance.web["blue"]']);
    expect(read.resources[0]!.declaredState).toEqual({
      id: 'db-1',
      password: '(sensitive)',
      tags: { owner: 'team', token: '(sensitive)' },
      rules: [{ cidr: '10.0.0.0/8' }],
    });
    expect(JSON.stringify(read)).not.toContain('hunter2');
  });

  it('masks sensitive values of show -json output from its sensitive_values mirror', () => {
    const show = {
      format_version: '1.0',
      values: {
        root_module: {
          resources: [
            {
              address: 'aws_secretsmanager_secret_version.api',
              mode: 'managed',
              type: 'aws_secretsmanager_secret_version',
              name: 'api',
              values: { id: 'v1', secret_string: 's3cr3t-string', version_stages: ['AWSCURRENT'] },
              sensitive_values: { secret_string: true, version_stages: [false] },
            },
          ],
        },
      },
    };
    const read = readDeclared({ tool: 'terraform', bytes: Buffer.from(JSON.stringify(show)), format: 'terraform-show-json' });
    expect(read.resources[0]!.declaredState).toEqual({ id: 'v1', secret_string: '(sensitive)', version_stages: ['AWSCURRENT'] });
  });

  it('accepts gzip-compressed state', () => {
    const read = readDeclared({ tool: 'terraform', bytes: gzipSync(fixture('driftctl/tfstate-v4-module-iam-user.tfstate')) });
    expect(read.resources).toHaveLength(2);
  });

  it('refuses a plan, an old state version and a format that is not the one forced', () => {
    expect(
      formatError(() => readDeclared({ tool: 'terraform', bytes: fixture('terraform/plan-resource-drift.json') })),
    ).toMatchObject({
      code: 'wrong_format',
      message: expect.stringContaining('this is a plan'),
    });
    expect(
      formatError(() => readDeclared({ tool: 'terraform', bytes: Buffer.from('{"version":3,"resources":[]}') })),
    ).toMatchObject({
      code: 'wrong_format',
      path: '/version',
    });
    expect(
      formatError(() =>
        readDeclared({
          tool: 'terraform',
          format: 'terraform-show-json',
          bytes: fixture('driftctl/tfstate-v4-security-group.tfstate'),
        }),
      ),
    ).toMatchObject({ code: 'wrong_format', message: 'expected terraform-show-json but the document is tfstate' });
    expect(formatError(() => readDeclared({ tool: 'terraform', format: 'kubernetes', bytes: Buffer.from('{}') }))).toMatchObject({
      code: 'wrong_format',
      message: 'a terraform repository takes tfstate or terraform-show-json, not kubernetes',
    });
  });

  it('locates JSON syntax errors by line and column', () => {
    const err = formatError(() =>
      readDeclared({ tool: 'terraform', bytes: Buffer.from('{\n  "version": 4,\n  "resources": [,]\n}') }),
    );
    expect(err.code).toBe('malformed_json');
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/line 3, column \d+/);
  });
});

describe('kubernetes manifests', () => {
  it('identifies objects as <apiVersion>/<Kind>/<namespace>/<name>', () => {
    expect(ids(readDeclared({ tool: 'kubernetes', bytes: fixture('kubernetes/deploy-composite-key.declared.yaml') }))).toEqual([
      'apps/v1/Deployment apps/v1/Deployment/default/test-container-ports',
    ]);
    expect(ids(readDeclared({ tool: 'kubernetes', bytes: fixture('kubernetes/endpointslice.declared.json') }))).toEqual([
      'discovery.k8s.io/v1/EndpointSlice discovery.k8s.io/v1/EndpointSlice/default/test-endpoint-slice',
    ]);
  });

  it('reads multi-document YAML and List kinds, skipping empty documents and reporting non-objects', () => {
    const text = [
      '---',
      'apiVersion: v1',
      'kind: Namespace',
      'metadata: {name: shop}',
      '---',
      '# only a comment',
      '---',
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: v1',
      '  kind: ConfigMap',
      '  metadata: {name: settings, namespace: shop}',
      '  data: {mode: fast}',
      '- just a string',
      '---',
      '- 1',
      '---',
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: ClusterRole',
      'metadata: {name: reader}',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {generateName: web-}',
      '',
    ].join('\n');
    const read = readKubernetesManifests(text);
    expect(ids(read)).toEqual([
      'v1/Namespace v1/Namespace//shop',
      'v1/ConfigMap v1/ConfigMap/shop/settings',
      'rbac.authorization.k8s.io/v1/ClusterRole rbac.authorization.k8s.io/v1/ClusterRole//reader',
    ]);
    expect(read.rejected).toEqual([
      { path: '/2/items/1', reason: 'a List item must be a Kubernetes object, not a string' },
      { path: '/3', reason: 'not a Kubernetes object (a list)' },
      { path: '/5', reason: 'Deployment: metadata.generateName objects have no stable name to compare' },
    ]);
  });

  it('masks Secret values, including the copy kubectl keeps in last-applied-configuration', () => {
    const text = `apiVersion: v1
kind: Secret
metadata:
  name: db
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"data":{"password":"aHVudGVyMg=="}}'
type: Opaque
data:
  password: aHVudGVyMg==
stringData:
  user: admin
`;
    const [secret] = readKubernetesManifests(text).resources;
    expect(secret!.declaredState).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '(sensitive)' } },
      type: 'Opaque',
      data: { password: '(sensitive)' },
      stringData: { user: '(sensitive)' },
    });
  });

  it('reports a duplicate declaration instead of storing it twice', () => {
    const doc = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n';
    const read = readKubernetesManifests(`${doc}---\n${doc}`);
    expect(read.resources).toHaveLength(1);
    expect(read.rejected).toEqual([{ path: '/1', reason: 'v1/ConfigMap/default/a is already declared at /0' }]);
  });

  it('names the document index and line of a YAML syntax error', () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: [b}\n';
    const err = formatError(() => readKubernetesManifests(text));
    expect(err).toMatchObject({ code: 'malformed_yaml', path: '/1', line: 7 });
    expect(err.message).toMatch(/^YAML document 1 \(0-based\), line 7, column \d+: /);
  });

  it('rejects an object holding a NUL character, which jsonb cannot store', () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nul}\ndata: {x: "a\\0b"}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\n';
    const read = readDeclared({ tool: 'kubernetes', bytes: Buffer.from(text) });
    expect(ids(read)).toEqual(['v1/ConfigMap v1/ConfigMap/default/fine']);
    expect(read.rejected).toEqual([
      {
        path: 'v1/ConfigMap/default/nul',
        reason: 'v1/ConfigMap/default/nul holds a NUL character, which PostgreSQL jsonb cannot store',
      },
    ]);
  });

  it('refuses prototype-polluting keys', () => {
    const err = formatError(() =>
      readKubernetesManifests('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"__proto__":{"x":1}}'),
    );
    expect(err).toMatchObject({ code: 'forbidden_key', path: '/__proto__' });
  });
});

describe('cloudformation templates', () => {
  const yaml = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  DataBucket:
    Type: AWS::S3::Bucket
    Condition: IsProd
    Properties:
      BucketName: !Sub '\${AWS::StackName}-data'
      Tags:
        - Key: role
          Value: !GetAtt AppRole.Arn
  AppRole:
    Type: AWS::IAM::Role
    DependsOn: [DataBucket]
    Properties:
      RoleName: !If [IsProd, !Join ['-', [app, !Ref Env]], !Ref AWS::NoValue]
      Path: !Select [0, !Split [',', '/a/,/b/']]
      Policies:
        - PolicyDocument: !Base64 {'Fn::Sub': 'x'}
  Queue:
    Type: AWS::SQS::Queue
  NotAResource:
    Properties: {}
  Fn::ForEach::Topics:
    - Name
    - [a, b]
    - 'Topic\${Name}': {Type: AWS::SNS::Topic}
`;

  it('turns short-form intrinsics into their JSON form', () => {
    const read = readCloudFormationTemplate(yaml);
    expect(ids(read)).toEqual(['AWS::S3::Bucket DataBucket', 'AWS::IAM::Role AppRole', 'AWS::SQS::Queue Queue']);
    expect(read.resources[0]!.declaredState).toEqual({
      Type: 'AWS::S3::Bucket',
      Condition: 'IsProd',
      Properties: {
        BucketName: { 'Fn::Sub': '${AWS::StackName}-data' },
        Tags: [{ Key: 'role', Value: { 'Fn::GetAtt': ['AppRole', 'Arn'] } }],
      },
    });
    expect(read.resources[1]!.declaredState).toEqual({
      Type: 'AWS::IAM::Role',
      DependsOn: ['DataBucket'],
      Properties: {
        RoleName: { 'Fn::If': ['IsProd', { 'Fn::Join': ['-', ['app', { Ref: 'Env' }]] }, { Ref: 'AWS::NoValue' }] },
        Path: { 'Fn::Select': [0, { 'Fn::Split': [',', '/a/,/b/'] }] },
        Policies: [{ PolicyDocument: { 'Fn::Base64': { 'Fn::Sub': 'x' } } }],
      },
    });
    expect(read.resources[2]!.declaredState).toEqual({ Type: 'AWS::SQS::Queue', Properties: {} });
    expect(read.rejected).toEqual([
      { path: '/Resources/NotAResource', reason: 'Type is missing or not a string' },
      {
        path: '/Resources/Fn::ForEach::Topics',
        reason: 'Fn::ForEach loops are not expanded; declare the resources or upload the processed template',
      },
    ]);
  });

  it('reads the same template written as JSON identically', () => {
    const fromYaml = readCloudFormationTemplate(yaml);
    const json = JSON.stringify({
      AWSTemplateFormatVersion: '2010-09-09',
      Resources: Object.fromEntries(fromYaml.resources.map((r) => [r.resourceId, r.declaredState])),
    });
    expect(readCloudFormationTemplate(json).resources).toEqual(fromYaml.resources);
  });

  it('refuses text without a Resources section and locates YAML errors', () => {
    expect(formatError(() => readCloudFormationTemplate('AWSTemplateFormatVersion: "2010-09-09"\nOutputs: {}\n'))).toMatchObject({
      code: 'wrong_format',
      path: '/Resources',
    });
    const err = formatError(() =>
      readCloudFormationTemplate('Resources:\n  A:\n    Type: AWS::S3::Bucket\n     Properties: {}\n'),
    );
    expect(err).toMatchObject({
      code: 'malformed_yaml',
      line: 3,
      message: 'YAML document 0 (0-based), line 3, column 11: Nested mappings are not allowed in compact mappings',
    });
  });
});
