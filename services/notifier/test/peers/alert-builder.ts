import type { Priority } from '@driftguard/contracts';
import type { Alert, AlertItem } from '../../src/channels/channel.js';

/** A drift as analysis and the recommender describe it, with every part an alert can show. */
export function alertItem(n: number, overrides: Partial<AlertItem> = {}): AlertItem {
  const priority: Priority = n % 4 === 0 ? 'critical' : n % 4 === 1 ? 'high' : n % 4 === 2 ? 'medium' : 'low';
  return {
    driftEventId: 1000 + n,
    priority,
    severityScore: 0.9 - (n % 10) / 20,
    isSecurityCritical: n % 3 === 0,
    analysisPending: false,
    drift: {
      driftType: 'modified',
      resource: { address: `aws_security_group.web_${n}`, type: 'aws_security_group', name: `web_${n}`, provider: 'aws' },
      changedPaths: ['/ingress/0/cidr_blocks/0', '/tags/Owner', '/description'],
      observedAt: '2026-11-30T10:00:00.000Z',
      changes: [
        {
          path: '/tags/Owner',
          declared: 'platform',
          actual: 'alice',
          changeType: 'modified',
          sensitive: false,
          securityRuleIds: [],
        },
        {
          path: '/ingress/0/cidr_blocks/0',
          declared: '10.0.0.0/8',
          actual: '0.0.0.0/0',
          changeType: 'modified',
          sensitive: false,
          securityRuleIds: ['sg-open-to-world'],
        },
        {
          path: '/description',
          declared: 'web tier',
          actual: 'web tier (temp)',
          changeType: 'modified',
          sensitive: false,
          securityRuleIds: [],
        },
      ],
      isSecurityCritical: n % 3 === 0,
    },
    cause: { category: 'manual_change', confidence: 0.82, evidence: ['console session within 4 minutes of the change'] },
    attribution: {
      principal: 'arn:aws:sts::123456789012:assumed-role/Admin/alice',
      userAgent: 'console.amazonaws.com',
      source: 'cloudtrail',
      sourceId: `ev-${n}`,
      channel: 'console',
      link: `https://console.aws.example/cloudtrail/ev-${n}`,
    },
    correlated: [
      {
        kind: 'incident',
        source: 'pagerduty',
        sourceId: 'PD-42',
        occurredAt: '2026-11-30T09:55:00.000Z',
        match: 'environment',
        score: 0.7,
        summary: 'checkout latency',
        link: 'https://acme.pagerduty.example/incidents/PD-42',
        status: 'open',
      },
      {
        kind: 'git_commit',
        source: 'github',
        sourceId: 'acme/infra@4f2c1e9',
        occurredAt: '2026-11-30T09:40:00.000Z',
        match: 'declaring_file',
        score: 0.5,
        summary: 'tighten web ingress',
        link: 'https://git.example/acme/infra/commit/4f2c1e9',
      },
    ],
    recommendation: {
      id: 500 + n,
      type: 'auto_revert',
      rationale: 'The open ingress is not declared and no change request covers it.',
      steps: [
        { title: 'Review the change with alice', text: 'Ask why the ingress was opened.' },
        {
          title: 'Revert to the declared state',
          text: 'Apply the declared configuration.',
          command: `terraform apply -target=aws_security_group.web_${n}`,
        },
        { title: 'Confirm the drift is gone', text: 'Run a refresh-only plan.' },
      ],
    },
    consoleUrl: `https://driftguard.example/r/n1/d/${1000 + n}`,
    ...overrides,
  };
}

/** An alert of `count` drifts (the first `listed` of them carried), trigger unless told otherwise. */
export function buildAlert(
  options: { count?: number; listed?: number; action?: Alert['action']; key?: string; notificationId?: number } = {},
): Alert {
  const count = options.count ?? 1;
  const items = Array.from({ length: Math.min(count, options.listed ?? count) }, (_, i) => alertItem(i));
  const notificationId = options.notificationId ?? 77;
  return {
    key: options.key ?? (count === 1 ? 'drift:1000' : 'group:3:4b1d'),
    action: options.action ?? 'trigger',
    notificationId,
    idempotencyKey: `ntf_${notificationId}_${options.action ?? 'trigger'}`,
    organizationId: 1,
    environment: { id: 3, name: 'prod', production: true },
    priority: 'critical',
    title: count === 1 ? 'CRITICAL drift in prod: aws_security_group.web_0' : `${count} drifts in prod`,
    items,
    total: count,
    consoleUrl: 'https://driftguard.example/r/n1/g/prod',
    occurredAt: new Date('2026-11-30T10:01:00.000Z'),
  };
}
