import type { CauseCategory } from '@driftguard/contracts';
import type { CauseInput } from './cause-input.js';

/**
 * Drifts as on-call engineers meet them, with the cause a senior engineer reading the same
 * facts would conclude, one or more per cause: the tests check model and rules against them and
 * `dg ml train` reports the model's scores on them apart from the generated data. Times are UTC;
 * 2026-03-10 is a Tuesday, 2026-03-15 a Sunday.
 */
export interface HandWrittenScenario {
  name: string;
  expected: CauseCategory;
  input: CauseInput;
}

const CONSOLE_UA = 'console.amazonaws.com';

export const HAND_WRITTEN: HandWrittenScenario[] = [
  {
    name: 'instance resized during a SEV1 by the on-call engineer’s assumed role, no commit',
    expected: 'emergency_fix',
    input: {
      driftType: 'modified',
      detectedAt: '2026-03-10T02:40:00Z',
      changedAt: '2026-03-10T02:12:00Z',
      resourceType: 'aws_instance',
      changedPaths: ['/instance_type'],
      actor: { principal: 'arn:aws:sts::123456789012:assumed-role/OnCall/alice@example.com', userAgent: CONSOLE_UA },
      incidents: [{ startedAt: '2026-03-10T01:50:00Z', endedAt: null, severity: 1 }],
      alerts: [{ startedAt: '2026-03-10T01:45:00Z', endedAt: null, category: 'availability' }],
      commits: [],
    },
  },
  {
    name: 'security group rule removed during a security incident by the security team’s role',
    expected: 'security_response',
    input: {
      driftType: 'modified',
      detectedAt: '2026-03-10T15:30:00Z',
      changedAt: '2026-03-10T14:05:00Z',
      resourceType: 'aws_security_group',
      changedPaths: ['/ingress/2/cidr_blocks'],
      securityRules: { ids: ['DG-SEC-001'], critical: true },
      actor: {
        principal: 'arn:aws:sts::123456789012:assumed-role/SecurityTeam/erin@example.com',
        userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1',
      },
      incidents: [{ startedAt: '2026-03-10T13:20:00Z', endedAt: null, severity: 2, security: true }],
    },
  },
  {
    name: 'the autoscaler’s service principal changes desired capacity while a load alert fires',
    expected: 'automated_response',
    input: {
      driftType: 'modified',
      detectedAt: '2026-03-10T18:10:00Z',
      changedAt: '2026-03-10T17:52:00Z',
      resourceType: 'aws_autoscaling_group',
      changedPaths: ['/desired_capacity'],
      actor: {
        principal: 'autoscaling.amazonaws.com',
        userAgent: 'autoscaling.amazonaws.com',
        invokedBy: 'autoscaling.amazonaws.com',
      },
      alerts: [{ startedAt: '2026-03-10T17:40:00Z', endedAt: null, category: 'load' }],
    },
  },
  {
    name: 'a debug log level set from the console while an alert fires',
    expected: 'manual_troubleshooting',
    input: {
      driftType: 'modified',
      detectedAt: '2026-03-10T11:20:00Z',
      changedAt: '2026-03-10T10:58:00Z',
      resourceType: 'aws_lambda_function',
      changedPaths: ['/environment/variables/LOG_LEVEL'],
      actor: { principal: 'arn:aws:sts::123456789012:assumed-role/Developer/bob@example.com', userAgent: CONSOLE_UA },
      alerts: [{ startedAt: '2026-03-10T10:30:00Z', endedAt: null, category: 'error' }],
    },
  },
  {
    name: 'a console change at 03:00 on a Sunday with nothing else going on',
    expected: 'configuration_error',
    input: {
      driftType: 'modified',
      detectedAt: '2026-03-15T06:00:00Z',
      changedAt: '2026-03-15T03:00:00Z',
      resourceType: 'aws_db_instance',
      changedPaths: ['/engine_version'],
      actor: { principal: 'arn:aws:sts::123456789012:assumed-role/AdministratorAccess/frank@example.com', userAgent: CONSOLE_UA },
    },
  },
  {
    name: 'a tag change with no signal at all',
    expected: 'unknown',
    input: {
      driftType: 'modified',
      detectedAt: '2026-03-11T09:00:00Z',
      resourceType: 'aws_s3_bucket',
      changedPaths: ['/tags/CostCenter'],
    },
  },
  {
    name: 'a database’s storage raised by the on-call engineer with the CLI during a P1 about a full disk',
    expected: 'emergency_fix',
    input: {
      driftType: 'modified',
      detectedAt: '2026-03-12T04:30:00Z',
      changedAt: '2026-03-12T04:02:00Z',
      resourceType: 'aws_db_instance',
      changedPaths: ['/allocated_storage'],
      actor: {
        principal: 'arn:aws:sts::123456789012:assumed-role/OnCall/dave@example.com',
        userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1',
      },
      incidents: [{ startedAt: '2026-03-12T03:40:00Z', endedAt: null, severity: 1 }],
      alerts: [{ startedAt: '2026-03-12T03:35:00Z', endedAt: null, category: 'availability' }],
    },
  },
  {
    name: 'an IAM policy detached by the security team while GuardDuty alerts on the role',
    expected: 'security_response',
    input: {
      driftType: 'modified',
      detectedAt: '2026-03-11T16:00:00Z',
      changedAt: '2026-03-11T15:20:00Z',
      resourceType: 'aws_iam_role_policy_attachment',
      changedPaths: ['/policy_arn'],
      securityRules: { ids: ['DG-IAM-004'], critical: true },
      actor: { principal: 'arn:aws:sts::123456789012:assumed-role/SecurityTeam/erin@example.com', userAgent: CONSOLE_UA },
      alerts: [{ startedAt: '2026-03-11T15:05:00Z', endedAt: null, category: 'security' }],
    },
  },
  {
    name: 'the horizontal pod autoscaler raising replicas while a CPU alert fires',
    expected: 'automated_response',
    input: {
      driftType: 'modified',
      detectedAt: '2026-03-12T13:10:00Z',
      changedAt: '2026-03-12T12:58:00Z',
      resourceType: 'apps/v1/Deployment',
      changedPaths: ['/spec/replicas'],
      actor: {
        principal: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
        userAgent:
          'kube-controller-manager/v1.29.1 (linux/amd64) kubernetes/bc401b9/system:serviceaccount:kube-system:horizontal-pod-autoscaler',
      },
      alerts: [{ startedAt: '2026-03-12T12:45:00Z', endedAt: null, category: 'load' }],
    },
  },
  {
    name: 'a health check timeout raised from the console while a latency alert fires',
    expected: 'manual_troubleshooting',
    input: {
      driftType: 'modified',
      detectedAt: '2026-03-12T15:00:00Z',
      changedAt: '2026-03-12T14:40:00Z',
      resourceType: 'aws_lb_target_group',
      changedPaths: ['/health_check/0/timeout'],
      actor: { principal: 'arn:aws:sts::123456789012:assumed-role/Developer/carol@example.com', userAgent: CONSOLE_UA },
      alerts: [{ startedAt: '2026-03-12T14:20:00Z', endedAt: null, category: 'latency' }],
    },
  },
  {
    name: 'a deleted queue nobody is known to have touched',
    expected: 'unknown',
    input: {
      driftType: 'deleted',
      detectedAt: '2026-03-12T10:00:00Z',
      resourceType: 'aws_sqs_queue',
      changedPaths: [],
    },
  },
];
