import type { JsonValue, RecommendationStep, ResourceIdentity } from '@driftguard/contracts';
import { applyPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import type { PlanInput } from '../src/codegen/plan-input.js';
import { stepsFor } from '../src/codegen/steps.js';
import { findBlock } from '../src/codegen/hcl-source.js';
import { parseHcl, patchOf } from './code-parsers.js';
import { analyzed, change, planOf } from './scenario.builders.js';

/** The declaring file patched by the step's unified diff; fails unless the diff applies exactly. */
function patched(steps: readonly RecommendationStep[], original: string, file: string): string {
  const diff = patchOf(steps, 'unified_diff');
  expect(diff.file).toBe(file);
  expect(diff.content).toMatch(new RegExp(`^--- a/${file}\\n\\+\\+\\+ b/${file}\\n@@ `));
  const out = applyPatch(original, diff.content);
  if (out === false) throw new Error('the diff does not apply to the declaring file');
  // Secrets are references in every added line, never the mask (or a value).
  for (const line of diff.content.split('\n').filter((l) => l.startsWith('+'))) expect(line).not.toContain('(sensitive)');
  return out;
}

function plan(
  resource: ResourceIdentity,
  iacTool: 'terraform' | 'kubernetes' | 'cloudformation',
  changes: ReturnType<typeof change>[],
  declared: JsonValue | null,
  source: PlanInput['source'],
): PlanInput {
  const data = analyzed({ resource, iacTool, changes, cause: 'emergency_fix' });
  return { ...planOf(data, declared), ...(source ? { source } : {}) };
}

const MAIN_TF = `# network edge
resource "aws_security_group" "web" {
  name        = "web"
  description = "web tier" # keep
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
  tags = {
    Team = "edge"
  }
  revoke_rules_on_delete = true
}

resource "aws_db_instance" "main" {
  engine   = "postgres"
  password = "(sensitive)"
}
`;

const SG_DECLARED = {
  name: 'web',
  description: 'web tier',
  ingress: [{ from_port: 443, to_port: 443, protocol: 'tcp', cidr_blocks: ['10.0.0.0/8'] }],
  tags: { Team: 'edge' },
  revoke_rules_on_delete: true,
};

describe('unified diffs of the declaring file', () => {
  it('edits a Terraform resource block in place: blocks, maps, new and removed arguments; the rest of the file keeps its bytes', async () => {
    const input = plan(
      { type: 'aws_security_group', address: 'aws_security_group.web', name: 'web' },
      'terraform',
      [
        change('/ingress/1', undefined, { from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] }),
        change('/tags/Owner', undefined, 'oncall'),
        change('/revoke_rules_on_delete', true, undefined),
        change('/description', 'web tier', 'web tier (hotfix)'),
      ],
      SG_DECLARED,
      { path: 'network/main.tf', commit: 'a'.repeat(40), text: MAIN_TF },
    );
    const steps = stepsFor('codify_iac', input);
    expect(steps[0]!.patch?.format).toBe('unified_diff');
    expect(steps[0]!.text).toContain('network/main.tf (synced at commit aaaaaaaaaaaa)');
    const after = patched(steps, MAIN_TF, 'network/main.tf');
    const parsed = await parseHcl(after);
    expect(parsed).toEqual({
      resource: {
        aws_security_group: {
          web: [
            {
              name: 'web',
              description: 'web tier (hotfix)',
              ingress: [
                { from_port: 443, to_port: 443, protocol: 'tcp', cidr_blocks: ['10.0.0.0/8'] },
                { from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] },
              ],
              tags: { Team: 'edge', Owner: 'oncall' },
            },
          ],
        },
        aws_db_instance: { main: [{ engine: 'postgres', password: '(sensitive)' }] },
      },
    });
    // Untouched lines are untouched: the comment on description's line goes with its old value,
    // everything outside the block is byte for byte the same.
    expect(after.startsWith('# network edge\nresource "aws_security_group" "web" {\n  name        = "web"\n')).toBe(true);
    expect(after.endsWith(MAIN_TF.slice(MAIN_TF.indexOf('\nresource "aws_db_instance"')))).toBe(true);
    // The snippet is still there, naming the file it belongs to.
    expect(patchOf(steps, 'hcl').file).toBe('network/main.tf');
  });

  it('writes a secret into the file as a sensitive variable reference, never a value', async () => {
    const input = plan(
      { type: 'aws_db_instance', address: 'aws_db_instance.main', name: 'main' },
      'terraform',
      [
        change('/password', '(sensitive)', '(sensitive)', { sensitive: true }),
        change('/engine', 'postgres', 'aurora-postgresql'),
      ],
      { engine: 'postgres', password: '(sensitive)' },
      { path: 'main.tf', commit: 'b'.repeat(40), text: MAIN_TF },
    );
    const steps = stepsFor('codify_iac', input);
    const after = patched(steps, MAIN_TF, 'main.tf');
    expect(await parseHcl(after)).toMatchObject({
      resource: { aws_db_instance: { main: [{ engine: 'aurora-postgresql', password: '${var.main_password}' }] } },
      variable: { main_password: [{ type: '${string}', sensitive: true }] },
    });
    // The masked line was context in the stored file: the step says the real file differs there.
    expect(steps[0]!.text).toContain('show a secret as (sensitive)');
  });

  it('inserts into a block written empty on one line, and finds blocks of a module by their own labels', async () => {
    const text = 'resource "aws_s3_bucket" "logs" {}\n\nresource "aws_s3_bucket" "data" {\n  bucket = "data"\n}\n';
    const input = plan(
      { type: 'aws_s3_bucket', address: 'module.store.aws_s3_bucket.logs', name: 'logs' },
      'terraform',
      [change('/force_destroy', false, true)],
      { bucket: 'logs', force_destroy: false },
      { path: 'modules/store/main.tf', commit: 'c'.repeat(40), text },
    );
    const after = patched(stepsFor('codify_iac', input), text, 'modules/store/main.tf');
    expect(await parseHcl(after)).toEqual({
      resource: { aws_s3_bucket: { logs: [{ force_destroy: true }], data: [{ bucket: 'data' }] } },
    });
  });

  it('keeps today’s steps when the block is not in the synced file, saying why', () => {
    const input = plan(
      { type: 'aws_s3_bucket', address: 'aws_s3_bucket.gone', name: 'gone' },
      'terraform',
      [change('/force_destroy', false, true)],
      { force_destroy: false },
      { path: 'main.tf', commit: 'd'.repeat(40), text: MAIN_TF },
    );
    const steps = stepsFor('codify_iac', input);
    expect(steps.some((s) => s.patch?.format === 'unified_diff')).toBe(false);
    expect(steps[0]!.text).toContain('no diff of main.tf: the file has no block resource "aws_s3_bucket" "gone"');
    expect(patchOf(steps, 'hcl').content).toContain('force_destroy = true');
  });

  it('edits one document of a multi-document manifest, keeping comments and the other documents; a new secret env value becomes a secretKeyRef', () => {
    const text = `# web tier
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop # owned by the shop team
spec:
  replicas: 2 # HPA off
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.27
        env:
        - name: DB_PASSWORD
          value: (sensitive)
`;
    const declared = parseAllDocuments(text)[1]!.toJS() as JsonValue;
    const input = plan(
      { type: 'apps/v1/Deployment', address: 'apps/v1/Deployment/shop/web', name: 'web', namespace: 'shop' },
      'kubernetes',
      [
        change('/spec/replicas', 2, 5),
        change('/spec/template/spec/containers/0/image', 'nginx:1.27', 'nginx:1.28'),
        change(
          '/spec/template/spec/containers/0/env/1',
          undefined,
          { name: 'API_TOKEN', value: '(sensitive)' },
          { sensitive: true },
        ),
      ],
      declared,
      { path: 'apps/web.yaml', commit: 'e'.repeat(40), text },
    );
    const steps = stepsFor('codify_iac', input);
    expect(steps[0]!.patch?.format).toBe('unified_diff');
    const after = patched(steps, text, 'apps/web.yaml');
    const docs = parseAllDocuments(after).map((d) => d.toJS() as unknown);
    expect(docs[0]).toEqual(parseAllDocuments(text)[0]!.toJS());
    expect(docs[1]).toMatchObject({
      spec: {
        replicas: 5,
        template: {
          spec: {
            containers: [
              {
                image: 'nginx:1.28',
                env: [
                  { name: 'DB_PASSWORD', value: '(sensitive)' },
                  { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'web-secrets', key: 'API_TOKEN' } } },
                ],
              },
            ],
          },
        },
      },
    });
    // The stored file masks DB_PASSWORD's value; that line is context the step warns about.
    expect(steps[0]!.text).toContain('show a secret as (sensitive)');
    expect(after).toContain('  replicas: 5 # HPA off\n');
    expect(after).toContain('  namespace: shop # owned by the shop team\n');
    expect(after.startsWith('# web tier\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n')).toBe(true);
  });

  it('diffs a manifest in a style the YAML library does not write by re-rendering it, unless that would rewrite a secret', () => {
    const manifest = (env: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
    name: web
    namespace: shop
spec:
    template:
        spec:
            containers:
                -   name: web
                    image: nginx:1.27${env}
`;
    const resource = { type: 'apps/v1/Deployment', address: 'apps/v1/Deployment/shop/web', name: 'web', namespace: 'shop' };
    const changes = [change('/spec/template/spec/containers/0/image', 'nginx:1.27', 'nginx:1.28')];
    const plain = manifest('\n');
    const steps = stepsFor(
      'codify_iac',
      plan(resource, 'kubernetes', changes, parseYaml(plain) as JsonValue, {
        path: 'web.yaml',
        commit: '1'.repeat(40),
        text: plain,
      }),
    );
    const after = patched(steps, plain, 'web.yaml');
    expect(parseYaml(after)).toMatchObject({ spec: { template: { spec: { containers: [{ image: 'nginx:1.28' }] } } } });

    const withSecret = manifest(
      '\n                    env:\n                        -   name: DB_PASSWORD\n                            value: (sensitive)\n',
    );
    const refused = stepsFor(
      'codify_iac',
      plan(resource, 'kubernetes', changes, parseYaml(withSecret) as JsonValue, {
        path: 'web.yaml',
        commit: '1'.repeat(40),
        text: withSecret,
      }),
    );
    expect(refused.some((s) => s.patch?.format === 'unified_diff')).toBe(false);
    expect(refused[0]!.text).toContain('no diff of web.yaml: it would rewrite lines that hold a secret');
    expect(patchOf(refused, 'json_patch').file).toBe('web.yaml');
  });

  it('patches a CloudFormation YAML template with short forms, and a JSON template in its own indentation', () => {
    const yamlTemplate = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub '\${AWS::StackName}-jobs'
      VisibilityTimeout: 30 # seconds
`;
    const resource = {
      type: 'AWS::SQS::Queue',
      address: 'Jobs',
      name: 'Jobs',
      source: 'arn:aws:cloudformation:eu-west-1:1:stack/jobs/x',
    };
    const changes = [change('/VisibilityTimeout', 30, 300), change('/DelaySeconds', undefined, 5)];
    const yamlSteps = stepsFor(
      'codify_iac',
      plan(resource, 'cloudformation', changes, null, { path: 'stacks/jobs.yaml', commit: 'f'.repeat(40), text: yamlTemplate }),
    );
    const yamlAfter = patched(yamlSteps, yamlTemplate, 'stacks/jobs.yaml');
    expect(yamlAfter).toContain("      QueueName: !Sub '${AWS::StackName}-jobs'\n      VisibilityTimeout: 300 # seconds\n");
    expect(parseYaml(yamlAfter, { logLevel: 'silent' })).toMatchObject({
      Resources: { Jobs: { Properties: { VisibilityTimeout: 300, DelaySeconds: 5 } } },
    });

    const jsonTemplate = `${JSON.stringify(
      { Resources: { Jobs: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 30 } } } },
      null,
      4,
    )}\n`;
    const jsonSteps = stepsFor(
      'codify_iac',
      plan(resource, 'cloudformation', changes, null, { path: 'stacks/jobs.json', commit: 'f'.repeat(40), text: jsonTemplate }),
    );
    const jsonAfter = patched(jsonSteps, jsonTemplate, 'stacks/jobs.json');
    expect(JSON.parse(jsonAfter)).toEqual({
      Resources: { Jobs: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 300, DelaySeconds: 5 } } },
    });
    expect(jsonAfter).toContain('\n                "VisibilityTimeout": 300,\n');
  });

  it('finds blocks past strings, heredocs, comments and interpolations that hold braces', () => {
    const text = `locals {
  a = "{ not a block }"
  b = "\${jsonencode({ x = "}" })}"
  c = <<-EOT
    resource "aws_s3_bucket" "decoy" {
  EOT
}
/* resource "aws_s3_bucket" "commented" { */
resource "aws_s3_bucket" "real" {
  bucket = "real" // trailing }
  tags = {
    a = "b"
  }
}
`;
    expect(findBlock(text, 'resource', ['aws_s3_bucket', 'decoy'])).toBeNull();
    expect(findBlock(text, 'resource', ['aws_s3_bucket', 'commented'])).toBeNull();
    const real = findBlock(text, 'resource', ['aws_s3_bucket', 'real']);
    expect(real?.items.map((i) => [i.kind, i.name, text.slice(i.exprStart, i.exprEnd)])).toEqual([
      ['attribute', 'bucket', '"real"'],
      ['attribute', 'tags', '{\n    a = "b"\n  }'],
    ]);
    expect(text.slice(real!.close)).toBe('}\n');
  });
});
