import { describe, expect, it } from 'vitest';
import { classifyActor, classifyChannel } from './actor.classify.js';
import { evidenceOf, extractFeatures, nearness } from './cause-features.js';
import { encodeFeatures, FEATURE_NAMES } from './feature-names.js';
import { generateScenarios } from './scenario.generator.js';

describe('actor classification', () => {
  it.each([
    [{ principal: 'arn:aws:sts::1:assumed-role/OnCall/alice', userAgent: 'console.amazonaws.com' }, 'human', 'console'],
    [
      { principal: 'arn:aws:sts::1:assumed-role/terraform-apply/atlantis', userAgent: 'APN/1.0 HashiCorp/1.0 Terraform/1.7.5' },
      'iac_pipeline',
      'terraform',
    ],
    [{ principal: 'autoscaling.amazonaws.com', userAgent: 'autoscaling.amazonaws.com' }, 'aws_service', 'automation'],
    [
      {
        principal: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
        userAgent: 'kube-controller-manager/v1.29.0 client-go',
      },
      'k8s_controller',
      'controller',
    ],
    [{ principal: 'arn:aws:iam::1:user/bob', userAgent: 'aws-cli/2.15.0 Python/3.11' }, 'human', 'cli'],
    [{ principal: 'arn:aws:iam::1:user/ci-bot', userAgent: 'Boto3/1.34 botocore/1.34' }, 'iac_pipeline', 'sdk'],
  ] as const)('classifies %j as %s via %s', (actor, kind, channel) => {
    expect(classifyActor(actor)).toBe(kind);
    expect(classifyChannel(actor, classifyActor(actor))).toBe(channel);
  });

  it('calls a change without an audit event unknown', () => {
    expect(classifyActor(null)).toBe('unknown');
    expect(classifyChannel(null, 'unknown')).toBe('unknown');
  });
});

describe('extractFeatures', () => {
  const base = {
    driftType: 'modified' as const,
    detectedAt: '2026-03-15T06:00:00Z',
    changedAt: '2026-03-15T03:00:00Z',
    resourceType: 'aws_security_group',
    changedPaths: ['/ingress/0/cidr_blocks', '/tags/Owner'],
  };

  it('measures timing against incidents, alerts, deployments and maintenance', () => {
    const f = extractFeatures({
      ...base,
      incidents: [{ startedAt: '2026-03-15T02:00:00Z', endedAt: null, severity: 1, security: true }],
      alerts: [{ startedAt: '2026-03-15T04:00:00Z', endedAt: '2026-03-15T05:00:00Z', category: 'load' }],
      deployments: [{ startedAt: '2026-03-15T02:00:00Z', endedAt: '2026-03-15T02:30:00Z', succeeded: false }],
    });
    expect(f).toMatchObject({
      incident_active: 1,
      incident_open: 1,
      incident_near: 0,
      incident_severity: 1,
      incident_security: 1,
      alert_active: 0,
      alert_load: 1,
      deploy_active: 1,
      deploy_failed: 1,
      maint_active: 0,
      maint_near: 1,
    });
    expect(f.alert_near).toBeCloseTo(nearness(60));
  });

  it('reads hour, weekend and holidays in the team’s time zone', () => {
    expect(extractFeatures(base)).toMatchObject({ hour: 3, off_hours: 1, weekend: 1, holiday: 0 });
    expect(extractFeatures({ ...base, timeZone: 'America/New_York' })).toMatchObject({ hour: 23, weekend: 1 });
    expect(extractFeatures({ ...base, changedAt: '2026-12-25T10:00:00Z' })).toMatchObject({
      holiday: 1,
      weekend: 0,
      off_hours: 0,
    });
    expect(extractFeatures({ ...base, changedAt: '2026-11-26T10:00:00Z' }).holiday).toBe(1);
  });

  it('classifies resource and property kinds, security rules, commits, reverts and history', () => {
    const f = extractFeatures({
      ...base,
      securityRules: { ids: ['DG-SEC-001'], critical: true },
      commits: [{ committedAt: '2026-03-15T03:20:00Z', touchedDeclaringFile: true }],
      revertedToEarlierValue: true,
      history: { emergency_fix: 3, unknown: 1 },
    });
    expect(f).toMatchObject({
      resource_security: 1,
      prop_security: 1,
      prop_tags: 1,
      prop_size: 0,
      security_rules: 1,
      security_critical: 1,
      commit_touched_file: 1,
      reverted: 1,
      history_emergency_fix: 0.75,
      history_unknown: 0.25,
    });
    expect(encodeFeatures(f)).toHaveLength(FEATURE_NAMES.length);
  });

  it('finds no evidence in a drift with nothing correlated', () => {
    expect(evidenceOf(extractFeatures(base))).toEqual([]);
  });
});

describe('generateScenarios', () => {
  it('is reproducible from its seed and balanced over the six causes', () => {
    const a = generateScenarios(1, 60);
    expect(generateScenarios(1, 60)).toEqual(a);
    expect(generateScenarios(2, 60)).not.toEqual(a);
    const counts = a.reduce<Record<string, number>>((m, s) => ({ ...m, [s.cause]: (m[s.cause] ?? 0) + 1 }), {});
    expect(Object.values(counts)).toEqual([10, 10, 10, 10, 10, 10]);
  });
});
