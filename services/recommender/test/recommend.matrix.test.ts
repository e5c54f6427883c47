import type { CauseCategory, DriftType, IacTool, JsonValue, RecommendationType, ResourceIdentity } from '@driftguard/contracts';
import { describe, expect, it } from 'vitest';
import { driftViewOf } from '../src/drift-view.js';
import { DEFAULT_POLICY } from '../src/policy/default-policy.js';
import { recommend } from '../src/recommendation/recommend.js';
import { applyJsonPatch, parseHcl, yamlOf } from './code-parsers.js';
import { analyzed, change, incident, ONCALL, planOf } from './scenario.builders.js';

const RESOURCES: Record<IacTool, { resource: ResourceIdentity; path: string; declared: JsonValue; live: JsonValue }> = {
  terraform: {
    resource: {
      type: 'aws_lb_listener',
      address: 'aws_lb_listener.https',
      name: 'https',
      physicalId: 'arn:aws:elasticloadbalancing:l/1',
    },
    path: '/ssl_policy',
    declared: { port: 443, ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' },
    live: { port: 443, ssl_policy: 'ELBSecurityPolicy-2016-08', arn: 'arn:1' },
  },
  kubernetes: {
    resource: { type: 'apps/v1/Deployment', address: 'apps/v1/Deployment/shop/api', name: 'api', namespace: 'shop' },
    path: '/spec/template/spec/containers/0/image',
    declared: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'shop' },
      spec: { template: { spec: { containers: [{ name: 'api', image: 'api:1' }] } } },
    },
    live: {
      metadata: { name: 'api', namespace: 'shop' },
      spec: { template: { spec: { containers: [{ name: 'api', image: 'api:2' }] } } },
    },
  },
  cloudformation: {
    resource: {
      type: 'AWS::SQS::Queue',
      address: 'Jobs',
      name: 'Jobs',
      physicalId: 'https://sqs/jobs',
      source: 'arn:aws:cloudformation:eu-west-1:1:stack/jobs/x',
    },
    path: '/VisibilityTimeout',
    declared: {
      AWSTemplateFormatVersion: '2010-09-09',
      Resources: { Jobs: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 30 } } },
    },
    live: { VisibilityTimeout: 300 },
  },
};

const valueOf = (tool: IacTool, side: 'declared' | 'actual'): JsonValue =>
  ({
    terraform: { declared: 'ELBSecurityPolicy-TLS13-1-2-2021-06', actual: 'ELBSecurityPolicy-2016-08' },
    kubernetes: { declared: 'api:1', actual: 'api:2' },
    cloudformation: { declared: 30, actual: 300 },
  })[tool][side];

type Row = [IacTool, DriftType, CauseCategory, number, 'open' | 'resolved' | null, RecommendationType, string];

// tool, drift type, cause, cause confidence, incident, expected recommendation, expected rule
const MATRIX: Row[] = [];
for (const tool of ['terraform', 'kubernetes', 'cloudformation'] as const) {
  MATRIX.push(
    [tool, 'modified', 'emergency_fix', 0.9, 'resolved', 'codify_iac', 'emergency-fix-codify'],
    [tool, 'modified', 'emergency_fix', 0.9, 'open', 'manual_review', 'open-incident'],
    [tool, 'modified', 'security_response', 0.8, 'open', 'escalate_review', 'security-response-open-incident'],
    [tool, 'modified', 'security_response', 0.8, null, 'codify_iac', 'security-response-codify'],
    [tool, 'modified', 'configuration_error', 0.8, null, 'auto_revert', 'configuration-error-revert'],
    [tool, 'modified', 'manual_troubleshooting', 0.7, null, 'auto_revert', 'troubleshooting-leftover-revert'],
    [tool, 'modified', 'automated_response', 0.8, null, 'manual_review', 'fallback'],
    [tool, 'modified', 'unknown', 0.3, null, 'manual_review', 'low-confidence'],
    [tool, 'deleted', 'manual_troubleshooting', 0.7, null, 'auto_revert', 'troubleshooting-leftover-revert'],
    [tool, 'deleted', 'emergency_fix', 0.9, 'resolved', 'codify_iac', 'emergency-fix-codify'],
    [tool, 'added', 'unknown', 0.2, null, 'codify_iac', 'unmanaged-resource'],
  );
}

function scenario([tool, driftType, cause, confidence, inc]: Row) {
  const r = RESOURCES[tool];
  const changes = driftType === 'modified' ? [change(r.path, valueOf(tool, 'declared'), valueOf(tool, 'actual'))] : [];
  const data = analyzed({
    resource: driftType === 'added' ? { ...r.resource, address: undefined } : r.resource,
    iacTool: tool,
    driftType,
    changes,
    cause,
    causeConfidence: confidence,
    correlated: inc ? [incident(inc)] : [],
  });
  const view = driftViewOf(data, null);
  if (!view) throw new Error('no view');
  const declared = tool === 'cloudformation' ? null : driftType === 'added' ? null : r.declared;
  return {
    data,
    rec: recommend(
      data,
      view,
      planOf(data, declared, driftType === 'added' ? r.live : null),
      [{ source: 'default', version: 0, document: DEFAULT_POLICY }],
      new Date(),
    ),
  };
}

describe('every cause, tool and drift type', () => {
  it.each(MATRIX)('%s %s drift, cause %s (%s), incident %s → %s by rule %s', async (...row) => {
    const [tool, , cause, , inc, type, rule] = row;
    const { rec } = scenario(row);
    expect(rec.recommendationType).toBe(type);
    expect(rec.policy.rule).toBe(rule);
    // The rationale names its evidence: cause, who, the incident, and the deciding rule.
    expect(rec.rationale).toContain(cause.replace(/_/g, ' '));
    expect(rec.rationale).toContain(ONCALL);
    if (inc) expect(rec.rationale).toContain('Q1INC0042');
    expect(rec.rationale).toContain(`Policy rule ${rule}`);
    expect(rec.steps.length).toBeGreaterThan(0);
    // Every piece of generated code is read back by a real parser.
    for (const { patch } of rec.steps) {
      if (!patch) continue;
      switch (patch.format) {
        case 'hcl':
          await expect(parseHcl(patch.content)).resolves.toBeTypeOf('object');
          break;
        case 'json_patch': {
          const target = tool === 'cloudformation' ? RESOURCES.cloudformation.declared : RESOURCES[tool].declared;
          expect(() => applyJsonPatch(target, patch.content)).not.toThrow();
          break;
        }
        case 'yaml':
        case 'strategic_merge':
          expect(yamlOf(patch.content)).toBeTypeOf('object');
          break;
        case 'json':
          expect(JSON.parse(patch.content)).toBeTypeOf('object');
          break;
        case 'unified_diff':
          // test/source-diff.test.ts applies them to synced files; these plans have none.
          throw new Error('a unified diff without a synced declaring file');
        default: {
          const never: never = patch.format;
          throw new Error(String(never));
        }
      }
      expect(patch.content).not.toContain('(sensitive)');
    }
    expect(rec.riskAssessment.successProbability).toBeGreaterThan(0);
    expect(rec.riskAssessment.potentialImpacts.length).toBeGreaterThan(0);
  });

  it('codify patches give the live value for every tool', async () => {
    const tf = scenario(['terraform', 'modified', 'emergency_fix', 0.9, 'resolved', 'codify_iac', '']).rec;
    expect(await parseHcl(tf.steps.find((s) => s.patch?.format === 'hcl')?.patch?.content ?? '')).toEqual({
      resource: { aws_lb_listener: { https: [{ ssl_policy: 'ELBSecurityPolicy-2016-08' }] } },
    });
    const k8s = scenario(['kubernetes', 'modified', 'emergency_fix', 0.9, 'resolved', 'codify_iac', '']).rec;
    expect(
      applyJsonPatch(
        RESOURCES.kubernetes.declared,
        k8s.steps.find((s) => s.patch?.format === 'json_patch')?.patch?.content ?? '[]',
      ),
    ).toMatchObject({
      spec: { template: { spec: { containers: [{ image: 'api:2' }] } } },
    });
    const cfn = scenario(['cloudformation', 'modified', 'emergency_fix', 0.9, 'resolved', 'codify_iac', '']).rec;
    expect(
      applyJsonPatch(
        RESOURCES.cloudformation.declared,
        cfn.steps.find((s) => s.patch?.format === 'json_patch')?.patch?.content ?? '[]',
      ),
    ).toMatchObject({
      Resources: { Jobs: { Properties: { VisibilityTimeout: 300 } } },
    });
  });

  it('names a value too large for the event instead of inlining it', () => {
    const data = analyzed({
      resource: RESOURCES.terraform.resource,
      changes: [change('/user_data', 'a', 'b')],
      cause: 'emergency_fix',
    });
    const view = driftViewOf(data, null);
    if (!view) throw new Error('no view');
    const plan = planOf(data);
    plan.changes = [
      {
        path: '/user_data',
        changeType: 'modified',
        sensitive: false,
        securityRuleIds: [],
        declared: 'a',
        unresolved: ['actual'],
      },
    ];
    const rec = recommend(data, view, plan, [{ source: 'default', version: 0, document: DEFAULT_POLICY }], new Date());
    expect(rec.steps.some((s) => s.patch?.format === 'hcl')).toBe(false);
    expect(rec.steps.map((s) => s.text).join(' ')).toContain('/user_data is too large to inline');
  });
});
