import type { JsonValue } from '@driftguard/contracts';
import { describe, expect, it } from 'vitest';
import { driftViewOf } from '../src/drift-view.js';
import { DEFAULT_POLICY } from '../src/policy/default-policy.js';
import type { PolicyLayer } from '../src/policy/policy.evaluate.js';
import { recommend, type Recommendation } from '../src/recommendation/recommend.js';
import { applyJsonPatch, CloudFormationTemplate, parseHcl, patchOf, yamlOf } from './code-parsers.js';
import { analyzed, change, incident, ONCALL, planOf, type ScenarioInput } from './scenario.builders.js';

const DEFAULTS: PolicyLayer[] = [{ source: 'default', version: 0, document: DEFAULT_POLICY }];
const NOW = new Date('2026-11-30T15:00:00.000Z');

function run(
  s: ScenarioInput,
  declared: JsonValue | null = null,
  live: JsonValue | null = null,
  layers = DEFAULTS,
): Recommendation {
  const data = analyzed(s);
  const view = driftViewOf(data, null);
  if (!view) throw new Error('scenario without a drift summary');
  return recommend(data, view, planOf(data, declared, live), layers, NOW);
}

const commands = (r: Recommendation) => r.steps.flatMap((s) => (s.command ? [s.command] : []));
const allText = (r: Recommendation) => JSON.stringify(r.steps);

const instance = { type: 'aws_instance', address: 'aws_instance.checkout', name: 'checkout', physicalId: 'i-0abc123def4567890' };
const resize = [change('/instance_type', 'm5.large', 'm5.2xlarge')];
const instanceDeclared = {
  ami: 'ami-0abcdef1234567890',
  instance_type: 'm5.large',
  tags: { Name: 'checkout', Owner: 'payments' },
};

describe('Terraform scenarios get what a senior engineer would recommend', () => {
  it('codifies an emergency fix made during an incident that is now resolved, with HCL holding the live value', async () => {
    const r = run(
      { resource: instance, changes: resize, cause: 'emergency_fix', correlated: [incident('resolved')] },
      instanceDeclared,
    );
    expect(r).toMatchObject({
      recommendationType: 'codify_iac',
      priority: 'high',
      policy: { source: 'default', rule: 'emergency-fix-codify' },
    });
    expect(r.rationale).toContain(ONCALL);
    expect(r.rationale).toContain('Incident Q1INC0042');
    expect(r.rationale).toContain('now resolved');
    expect(r.rationale).toContain('emergency fix');
    const hcl = await parseHcl(patchOf(r.steps, 'hcl').content);
    expect(hcl).toEqual({ resource: { aws_instance: { checkout: [{ instance_type: 'm5.2xlarge' }] } } });
    expect(commands(r)).toContain("terraform plan -target='aws_instance.checkout'");
  });

  it('leaves a change made during a still-open incident to a person: no one reverts a live mitigation', () => {
    const r = run({
      resource: instance,
      changes: resize,
      cause: 'emergency_fix',
      correlated: [incident('open')],
      temporal: { insideIncident: true },
    });
    expect(r).toMatchObject({ recommendationType: 'manual_review', priority: 'high', policy: { rule: 'open-incident' } });
    expect(r.rationale).toContain('still open');
  });

  it('treats an incident whose status an older analysis did not send as open', () => {
    const r = run({ resource: instance, changes: resize, cause: 'emergency_fix', correlated: [incident(undefined)] });
    expect(r.recommendationType).toBe('manual_review');
  });

  it('reverts a security-critical production drift outside any incident or window, unattended, with plan -refresh-only then apply -target', () => {
    const sg = { type: 'aws_security_group', address: 'aws_security_group.db', name: 'db', physicalId: 'sg-0123' };
    const open = change('/ingress/0/cidr_blocks/0', '10.0.0.0/8', '0.0.0.0/0', { securityRuleIds: ['sg-open-to-world'] });
    const r = run({ resource: sg, changes: [open], cause: 'unknown', causeConfidence: 0.3, attribution: null });
    expect(r).toMatchObject({
      recommendationType: 'auto_revert',
      priority: 'critical',
      unattended: true,
      policy: { rule: 'security-critical-production' },
    });
    expect(commands(r)).toEqual([
      "terraform plan -refresh-only -target='aws_security_group.db'",
      "terraform apply -target='aws_security_group.db'",
    ]);
    expect(r.rationale).toContain('Security rules hit: sg-open-to-world');
    expect(r.rationale).toContain('No audit record names who made the change');
    expect(r.riskAssessment.blastRadius).toBe('environment');
  });

  it('asks for review of a security-critical production drift made inside a maintenance window', () => {
    const sg = { type: 'aws_security_group', address: 'aws_security_group.db', name: 'db' };
    const open = change('/ingress/0/cidr_blocks/0', '10.0.0.0/8', '0.0.0.0/0', { securityRuleIds: ['sg-open-to-world'] });
    const r = run({ resource: sg, changes: [open], temporal: { insideMaintenance: true } });
    expect(r).toMatchObject({ recommendationType: 'escalate_review', policy: { rule: 'security-critical-change-window' } });
  });

  it("escalates a security team's response made during a security incident", () => {
    const r = run({
      resource: { type: 'aws_iam_role_policy', address: 'aws_iam_role_policy.ci', name: 'ci' },
      changes: [change('/policy', '{"Statement":[]}', '{"Statement":[{"Effect":"Deny"}]}')],
      cause: 'security_response',
      correlated: [
        incident('open', { kind: 'security_event', source: 'guardduty', sourceId: 'gd-77', summary: 'credential exfiltration' }),
      ],
    });
    expect(r).toMatchObject({
      recommendationType: 'escalate_review',
      priority: 'high',
      policy: { rule: 'security-response-open-incident' },
    });
    expect(r.rationale).toContain('Security event gd-77');
  });

  it('accepts an autoscaler changing the count it manages, with the ignore_changes patch and the ignore rule ready', async () => {
    const asg = { type: 'aws_autoscaling_group', address: 'aws_autoscaling_group.web', name: 'web' };
    const r = run({
      resource: asg,
      changes: [change('/desired_capacity', 3, 7)],
      cause: 'automated_response',
      attribution: {
        principal: 'autoscaling.amazonaws.com',
        userAgent: 'autoscaling.amazonaws.com',
        source: 'cloudtrail',
        sourceId: 'e-2',
      },
    });
    expect(r).toMatchObject({
      recommendationType: 'accept_exception',
      priority: 'low',
      policy: { rule: 'controller-managed-count' },
    });
    const hcl = await parseHcl(patchOf(r.steps, 'hcl').content);
    expect(hcl).toEqual({
      resource: { aws_autoscaling_group: { web: [{ lifecycle: [{ ignore_changes: ['${desired_capacity}'] }] }] } },
    });
    expect(JSON.parse(patchOf(r.steps, 'json').content)).toEqual([
      expect.objectContaining({
        syntax: 'json_pointer',
        resourceType: 'aws_autoscaling_group',
        addressPattern: 'aws_autoscaling_group.web',
        propertyPath: '/desired_capacity',
      }),
    ]);
  });

  it('imports an unmanaged resource with an import block and a resource block of its live attributes', async () => {
    const live = {
      bucket: 'acme-exports',
      arn: 'arn:aws:s3:::acme-exports',
      id: 'acme-exports',
      force_destroy: false,
      tags: { team: 'data' },
      tags_all: { team: 'data' },
    };
    const r = run(
      { resource: { type: 'aws_s3_bucket', name: 'acme-exports', physicalId: 'acme-exports' }, driftType: 'added' },
      null,
      live,
    );
    expect(r).toMatchObject({ recommendationType: 'codify_iac', policy: { rule: 'unmanaged-resource' } });
    const hcl = await parseHcl(patchOf(r.steps, 'hcl').content);
    expect(hcl).toEqual({
      import: [{ to: '${aws_s3_bucket.acme_exports}', id: 'acme-exports' }],
      resource: { aws_s3_bucket: { acme_exports: [{ bucket: 'acme-exports', force_destroy: false, tags: { team: 'data' } }] } },
    });
  });

  it('escalates an unmanaged resource that is security-critical instead of importing it', () => {
    const r = run(
      { resource: { type: 'aws_security_group', physicalId: 'sg-9' }, driftType: 'added', securityRuleIds: ['sg-open-to-world'] },
      null,
      {},
    );
    expect(r).toMatchObject({ recommendationType: 'escalate_review', policy: { rule: 'security-critical-unmanaged' } });
  });

  it('records a moved resource with a moved block', async () => {
    const r = run({
      resource: { type: 'aws_s3_bucket', address: 'aws_s3_bucket.logs', name: 'logs' },
      driftType: 'moved',
      previousAddress: 'aws_s3_bucket.log',
    });
    expect(r.recommendationType).toBe('codify_iac');
    expect(await parseHcl(patchOf(r.steps, 'hcl').content)).toEqual({
      moved: [{ from: '${aws_s3_bucket.log}', to: '${aws_s3_bucket.logs}' }],
    });
  });

  it('leaves a drift whose cause analysis is unsure to a person', () => {
    const r = run({ resource: instance, changes: resize, cause: 'configuration_error', causeConfidence: 0.35 });
    expect(r).toMatchObject({ recommendationType: 'manual_review', policy: { rule: 'low-confidence' } });
    expect(r.rationale).toContain('35% confidence');
  });

  it('reverts a configuration error, with a person running it', () => {
    const r = run({ resource: instance, changes: resize, cause: 'configuration_error', causeConfidence: 0.8, production: false });
    expect(r).toMatchObject({ recommendationType: 'auto_revert', priority: 'medium', unattended: false });
  });

  it('writes a masked password as a sensitive variable, never as a literal', async () => {
    const db = { type: 'aws_db_instance', address: 'aws_db_instance.main', name: 'main' };
    const r = run(
      {
        resource: db,
        changes: [
          change('/password', '(sensitive)', '(sensitive)', { sensitive: true }),
          change('/instance_class', 'db.t3.medium', 'db.r6g.large'),
        ],
        cause: 'emergency_fix',
      },
      { engine: 'postgres', instance_class: 'db.t3.medium', password: '(sensitive)' },
    );
    const content = patchOf(r.steps, 'hcl').content;
    expect(content).not.toContain('(sensitive)');
    expect(await parseHcl(content)).toEqual({
      resource: { aws_db_instance: { main: [{ instance_class: 'db.r6g.large', password: '${var.main_password}' }] } },
      variable: { main_password: [{ type: '${string}', sensitive: true }] },
    });
  });

  it('writes a changed map entry as the whole live map when the declared configuration is known', async () => {
    const r = run(
      { resource: instance, changes: [change('/tags/Owner', 'payments', 'checkout-team')], cause: 'emergency_fix' },
      instanceDeclared,
    );
    expect(await parseHcl(patchOf(r.steps, 'hcl').content)).toEqual({
      resource: { aws_instance: { checkout: [{ tags: { Name: 'checkout', Owner: 'checkout-team' } }] } },
    });
  });
});

const deployment = { type: 'apps/v1/Deployment', address: 'apps/v1/Deployment/shop/web', name: 'web', namespace: 'shop' };
const webManifest = (labels: Record<string, string> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web', ...labels } },
  spec: {
    replicas: 3,
    template: {
      spec: {
        containers: [
          {
            name: 'web',
            image: 'registry.example/web:1.4.0',
            env: [
              { name: 'LOG_LEVEL', value: 'info' },
              { name: 'DB_PASSWORD', value: '(sensitive)' },
            ],
          },
        ],
      },
    },
  },
});

describe('Kubernetes scenarios', () => {
  it('accepts the HPA changing replicas, with a JSON-pointer ignore rule and Argo CD ignoreDifferences', () => {
    const r = run(
      {
        resource: deployment,
        iacTool: 'kubernetes',
        changes: [change('/spec/replicas', 3, 9)],
        cause: 'automated_response',
        attribution: {
          principal: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
          userAgent: null,
          source: 'kubernetes-audit',
          sourceId: 'a-1',
        },
      },
      webManifest({ 'app.kubernetes.io/instance': 'shop-web' }),
    );
    expect(r).toMatchObject({ recommendationType: 'accept_exception', policy: { rule: 'controller-managed-count' } });
    expect(JSON.parse(patchOf(r.steps, 'json').content)).toEqual([
      expect.objectContaining({ syntax: 'json_pointer', propertyPath: '/spec/replicas' }),
    ]);
    expect(yamlOf(patchOf(r.steps, 'yaml').content)).toEqual({
      spec: {
        ignoreDifferences: [
          { group: 'apps', kind: 'Deployment', name: 'web', namespace: 'shop', jsonPointers: ['/spec/replicas'] },
        ],
      },
    });
  });

  it('codifies a hotfixed image: the JSON patch applied to the declared manifest gives the live object', () => {
    const declared = webManifest();
    const r = run(
      {
        resource: deployment,
        iacTool: 'kubernetes',
        changes: [change('/spec/template/spec/containers/0/image', 'registry.example/web:1.4.0', 'registry.example/web:1.4.1')],
        cause: 'emergency_fix',
      },
      declared,
    );
    expect(r.recommendationType).toBe('codify_iac');
    const patched = applyJsonPatch(declared, patchOf(r.steps, 'json_patch').content);
    const expected = structuredClone(declared);
    expected.spec.template.spec.containers[0]!.image = 'registry.example/web:1.4.1';
    expect(patched).toEqual(expected);
    expect(yamlOf(patchOf(r.steps, 'strategic_merge').content)).toEqual({
      spec: { template: { spec: { containers: [{ name: 'web', image: 'registry.example/web:1.4.1' }] } } },
    });
  });

  it('puts a changed secret env value behind a secretKeyRef, never inline', () => {
    const declared = webManifest();
    const r = run(
      {
        resource: deployment,
        iacTool: 'kubernetes',
        changes: [
          change('/spec/template/spec/containers/0/env/1/value', '(sensitive)', '(sensitive)', { sensitive: true }),
          change('/spec/template/spec/containers/0/env/0/value', 'info', 'debug'),
        ],
        cause: 'emergency_fix',
      },
      declared,
    );
    const content = patchOf(r.steps, 'json_patch').content;
    expect(content).not.toContain('(sensitive)');
    const patched = applyJsonPatch(declared, content);
    expect(patched).toMatchObject({
      spec: { template: { spec: { containers: [{ env: [{ name: 'LOG_LEVEL', value: 'debug' }, { name: 'DB_PASSWORD' }] }] } } },
    });
    // a masked value compared equal: the secret itself did not change, so no reference is forced
    expect(allText(r)).not.toContain('(sensitive)');
  });

  it('reverts an Argo CD tracked object with argocd app sync, others with kubectl apply of the declared manifest', () => {
    const cm = { type: 'v1/ConfigMap', address: 'v1/ConfigMap/shop/flags', name: 'flags', namespace: 'shop' };
    const s = {
      resource: cm,
      iacTool: 'kubernetes' as const,
      changes: [change('/data/checkout', 'on', 'off')],
      cause: 'configuration_error' as const,
    };
    const declared = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'flags', namespace: 'shop' },
      data: { checkout: 'on' },
    };
    const argo = run(s, { ...declared, metadata: { ...declared.metadata, labels: { 'app.kubernetes.io/instance': 'shop' } } });
    expect(argo.recommendationType).toBe('auto_revert');
    expect(commands(argo)).toContain("argocd app sync shop --resource ':ConfigMap:shop/flags'");
    const plain = run(s, declared);
    expect(commands(plain)).toContain('kubectl apply -f shop/configmap-flags.yaml');
    expect(yamlOf(patchOf(plain.steps, 'yaml').content)).toEqual(declared);
  });

  it('declares an unmanaged object from its live body without cluster-written fields', () => {
    const live = {
      metadata: {
        name: 'debug',
        namespace: 'shop',
        uid: 'u-1',
        resourceVersion: '42',
        creationTimestamp: '2026-11-30T10:00:00Z',
      },
      spec: { containers: [{ name: 'sh', image: 'busybox' }] },
    };
    const r = run(
      {
        resource: { type: 'v1/Pod', name: 'debug', namespace: 'shop', physicalId: 'v1/Pod/shop/debug' },
        iacTool: 'kubernetes',
        driftType: 'added',
      },
      null,
      live,
    );
    expect(yamlOf(patchOf(r.steps, 'yaml').content)).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'debug', namespace: 'shop' },
      spec: { containers: [{ name: 'sh', image: 'busybox' }] },
    });
  });
});

const stackId = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/shop-storage/0f1e2d3c-aaaa-bbbb-cccc-000000000000';
const template = {
  AWSTemplateFormatVersion: '2010-09-09' as const,
  Resources: {
    AppBucket: {
      Type: 'AWS::S3::Bucket',
      Properties: { BucketName: 'acme-app', VersioningConfiguration: { Status: 'Enabled' } },
    },
  },
};

describe('CloudFormation scenarios', () => {
  it('codifies a property change as a template patch that yields a valid template with the live value', () => {
    const r = run({
      resource: { type: 'AWS::S3::Bucket', address: 'AppBucket', name: 'AppBucket', source: stackId },
      changes: [change('/VersioningConfiguration/Status', 'Enabled', 'Suspended')],
      cause: 'emergency_fix',
    });
    const patched = CloudFormationTemplate.parse(applyJsonPatch(template, patchOf(r.steps, 'json_patch').content));
    expect(patched.Resources['AppBucket']?.Properties).toEqual({
      BucketName: 'acme-app',
      VersioningConfiguration: { Status: 'Suspended' },
    });
    expect(commands(r)).toContain('aws cloudformation deploy --stack-name shop-storage --template-file template.yaml');
  });

  it('imports an unmanaged bucket with --resources-to-import and a retained template resource', () => {
    const r = run(
      {
        resource: { type: 'AWS::S3::Bucket', name: 'acme-exports', physicalId: 'acme-exports', source: stackId },
        driftType: 'added',
      },
      null,
      { BucketName: 'acme-exports' },
    );
    expect(JSON.parse(patchOf(r.steps, 'json').content)).toEqual([
      { ResourceType: 'AWS::S3::Bucket', LogicalResourceId: 'AcmeExports', ResourceIdentifier: { BucketName: 'acme-exports' } },
    ]);
    const patched = CloudFormationTemplate.parse(applyJsonPatch(template, patchOf(r.steps, 'json_patch').content));
    expect(patched.Resources['AcmeExports']).toEqual({
      Type: 'AWS::S3::Bucket',
      DeletionPolicy: 'Retain',
      Properties: { BucketName: 'acme-exports' },
    });
    expect(commands(r).join('\n')).toContain('--change-set-type IMPORT --resources-to-import file://resources-to-import.json');
  });

  it('reverts a security-critical production drift with a stack update', () => {
    const r = run({
      resource: { type: 'AWS::S3::Bucket', address: 'AppBucket', name: 'AppBucket', source: stackId },
      changes: [
        change('/PublicAccessBlockConfiguration/BlockPublicAcls', true, false, { securityRuleIds: ['s3-public-access'] }),
      ],
    });
    expect(r.recommendationType).toBe('auto_revert');
    expect(commands(r).join('\n')).toContain('aws cloudformation create-change-set --stack-name shop-storage');
  });

  it('refers to a masked property through Secrets Manager, never inline', () => {
    const db = { type: 'AWS::RDS::DBInstance', address: 'Db', name: 'Db', source: stackId };
    const r = run({
      resource: db,
      changes: [change('/MasterUserPassword', '(sensitive)', '(sensitive)', { sensitive: true })],
      cause: 'emergency_fix',
    });
    const content = patchOf(r.steps, 'json_patch').content;
    expect(content).not.toContain('(sensitive)');
    const withDb = {
      ...template,
      Resources: { ...template.Resources, Db: { Type: 'AWS::RDS::DBInstance', Properties: { MasterUserPassword: 'x' } } },
    };
    const patched = CloudFormationTemplate.parse(applyJsonPatch(withDb, content));
    expect(patched.Resources['Db']?.Properties?.['MasterUserPassword']).toMatch(/^\{\{resolve:secretsmanager:[a-z0-9-]+\}\}$/);
  });
});

describe('policy overrides', () => {
  it('an environment override decides before the defaults, and says so', () => {
    const layers: PolicyLayer[] = [
      {
        source: 'environment',
        version: 3,
        document: {
          rules: [
            {
              id: 'never-auto-revert-here',
              when: { securityCritical: true },
              then: { recommendationType: 'escalate_review', priority: 'critical', estimatedEffort: 'hours', expiresIn: '12h' },
            },
          ],
        },
      },
      ...DEFAULTS,
    ];
    const sg = { type: 'aws_security_group', address: 'aws_security_group.db', name: 'db' };
    const s = {
      resource: sg,
      changes: [change('/ingress/0/cidr_blocks/0', '10.0.0.0/8', '0.0.0.0/0', { securityRuleIds: ['sg-open-to-world'] })],
    };
    const r = run(s, null, null, layers);
    expect(r).toMatchObject({
      recommendationType: 'escalate_review',
      policy: { source: 'environment', version: 3, rule: 'never-auto-revert-here' },
    });
    expect(r.expiresAt).toEqual(new Date(NOW.getTime() + 12 * 3600_000));
    expect(r.rationale).toContain('environment policy v3');
    expect(run(s).recommendationType).toBe('auto_revert');
  });
});
