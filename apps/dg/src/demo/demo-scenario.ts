import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One delivery to ingest's context intake, as the source sends it. */
export interface DemoContext {
  env: 'production' | 'staging';
  source: 'pagerduty' | 'cloudtrail' | 'alertmanager' | 'github' | 'kubernetes-audit' | 'deployment';
  headers?: Record<string, string>;
  body: unknown;
}

/** One scan, in the scanner's own format. */
export interface DemoScan {
  env: 'production' | 'staging';
  format: 'native' | 'terraform-plan' | 'driftctl' | 'cloudformation' | 'kubernetes';
  scanner: string;
  body: string;
}

export const DEMO_ACCOUNT = '123456789012';
export const DEMO_REGION = 'eu-west-1';

const ago = (now: Date, minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();

function cloudTrail(now: Date, minutesAgo: number, record: Record<string, unknown>): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    eventTime: ago(now, minutesAgo),
    awsRegion: DEMO_REGION,
    sourceIPAddress: '203.0.113.24',
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: DEMO_ACCOUNT,
    eventCategory: 'Management',
    ...record,
  };
}

function assumedRole(role: string, session: string): Record<string, unknown> {
  return {
    type: 'AssumedRole',
    principalId: `AROA3EXAMPLEROLEID:${session}`,
    arn: `arn:aws:sts::${DEMO_ACCOUNT}:assumed-role/${role}/${session}`,
    accountId: DEMO_ACCOUNT,
    accessKeyId: 'ASIA3EXAMPLEKEYID',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROA3EXAMPLEROLEID',
        arn: `arn:aws:iam::${DEMO_ACCOUNT}:role/${role}`,
        accountId: DEMO_ACCOUNT,
        userName: role,
      },
      attributes: { creationDate: new Date().toISOString(), mfaAuthenticated: 'true' },
    },
  };
}

const CONSOLE_AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15';

/**
 * The demo's story, relative to `now`: in production, a SEV1 on checkout during which the on-call
 * engineer resized an instance from the console; an autoscaler raising a group's capacity while
 * a CPU alert fires; a debug log level set from the console during that alert; a security group
 * opened to the world from the CLI with nothing else going on; a tag changed with no signal at
 * all. In staging, real scanner outputs of every other format.
 */
export function demoScenario(now: Date, fixturesDir: string): { context: DemoContext[]; scans: DemoScan[] } {
  const incidentId = 'Q1DEMO' + now.getTime().toString(36).slice(-4).toUpperCase();
  const context: DemoContext[] = [
    {
      env: 'production',
      source: 'pagerduty',
      body: {
        event: {
          id: `01${randomUUID().replaceAll('-', '').slice(0, 24).toUpperCase()}`,
          event_type: 'incident.triggered',
          resource_type: 'incident',
          occurred_at: ago(now, 30),
          agent: {
            id: 'PDEMOAG',
            type: 'service_reference',
            summary: 'Datadog',
            html_url: 'https://demo.pagerduty.com/services/PDEMOSV',
          },
          client: null,
          data: {
            id: incidentId,
            type: 'incident',
            self: `https://api.pagerduty.com/incidents/${incidentId}`,
            html_url: `https://demo.pagerduty.com/incidents/${incidentId}`,
            number: 4211,
            status: 'triggered',
            incident_key: randomUUID().replaceAll('-', ''),
            created_at: ago(now, 30),
            title: 'SEV1: checkout-api p99 latency above 4 s, orders failing',
            service: {
              id: 'PDEMOSV',
              type: 'service_reference',
              summary: 'checkout-api',
              html_url: 'https://demo.pagerduty.com/services/PDEMOSV',
            },
            assignees: [
              {
                id: 'PJANEDO',
                type: 'user_reference',
                summary: 'Jane Doe',
                html_url: 'https://demo.pagerduty.com/users/PJANEDO',
              },
            ],
            escalation_policy: { id: 'PDEMOEP', type: 'escalation_policy_reference', summary: 'Checkout on-call' },
            teams: [{ id: 'PDEMOTM', type: 'team_reference', summary: 'Checkout' }],
            priority: { id: 'PDEMOP1', type: 'priority', summary: 'P1' },
            urgency: 'high',
            conference_bridge: null,
            resolve_reason: null,
          },
        },
      },
    },
    {
      env: 'production',
      source: 'cloudtrail',
      body: cloudTrail(now, 22, {
        userIdentity: assumedRole('oncall-admin', 'jane.doe'),
        eventSource: 'ec2.amazonaws.com',
        eventName: 'ModifyInstanceAttribute',
        userAgent: CONSOLE_AGENT,
        sessionCredentialFromConsole: 'true',
        requestParameters: { instanceId: 'i-0c7e1d2a9b3f4e5d6', instanceType: { value: 'm5.2xlarge' } },
        responseElements: { _return: true },
      }),
    },
    {
      env: 'production',
      source: 'alertmanager',
      body: {
        version: '4',
        groupKey: '{}:{alertname="HighCPU"}',
        truncatedAlerts: 0,
        status: 'firing',
        receiver: 'driftguard',
        groupLabels: { alertname: 'HighCPU' },
        commonLabels: { alertname: 'HighCPU', severity: 'warning', service: 'orders-worker', env: 'production' },
        commonAnnotations: { summary: 'orders-worker CPU above 85% for 10 minutes' },
        externalURL: 'https://alertmanager.demo.example',
        alerts: [
          {
            status: 'firing',
            labels: {
              alertname: 'HighCPU',
              severity: 'warning',
              service: 'orders-worker',
              env: 'production',
              instance: 'orders-asg',
            },
            annotations: {
              summary: 'orders-worker CPU above 85% for 10 minutes',
              runbook_url: 'https://runbooks.demo.example/high-cpu',
            },
            startsAt: ago(now, 18),
            endsAt: '0001-01-01T00:00:00Z',
            generatorURL: 'https://prometheus.demo.example/graph?g0.expr=cpu',
            fingerprint: `c0ffee${now.getTime().toString(16).slice(-10)}`,
          },
        ],
      },
    },
    {
      env: 'production',
      source: 'cloudtrail',
      body: cloudTrail(now, 12, {
        userIdentity: { type: 'AWSService', invokedBy: 'autoscaling.amazonaws.com' },
        eventSource: 'autoscaling.amazonaws.com',
        eventName: 'SetDesiredCapacity',
        userAgent: 'autoscaling.amazonaws.com',
        sourceIPAddress: 'autoscaling.amazonaws.com',
        requestParameters: { autoScalingGroupName: 'orders-asg', desiredCapacity: 9, honorCooldown: false },
        responseElements: null,
      }),
    },
    {
      env: 'production',
      source: 'cloudtrail',
      body: cloudTrail(now, 9, {
        userIdentity: assumedRole('developer', 'sam.lee'),
        eventSource: 'lambda.amazonaws.com',
        eventName: 'UpdateFunctionConfiguration20150331v2',
        userAgent: CONSOLE_AGENT,
        sessionCredentialFromConsole: 'true',
        requestParameters: { functionName: 'orders-processor', environment: { variables: { LOG_LEVEL: 'debug' } } },
        responseElements: {
          functionName: 'orders-processor',
          functionArn: `arn:aws:lambda:${DEMO_REGION}:${DEMO_ACCOUNT}:function:orders-processor`,
        },
      }),
    },
    {
      env: 'production',
      source: 'cloudtrail',
      body: cloudTrail(now, 6, {
        userIdentity: {
          type: 'IAMUser',
          principalId: 'AIDA3EXAMPLEUSERID',
          arn: `arn:aws:iam::${DEMO_ACCOUNT}:user/alex.kim`,
          accountId: DEMO_ACCOUNT,
          accessKeyId: 'AKIA3EXAMPLEKEYID',
          userName: 'alex.kim',
        },
        eventSource: 'ec2.amazonaws.com',
        eventName: 'AuthorizeSecurityGroupIngress',
        userAgent:
          'aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe command/ec2.authorize-security-group-ingress',
        requestParameters: {
          groupId: 'sg-0a1b2c3d4e5f60718',
          ipPermissions: {
            items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }],
          },
        },
        responseElements: { _return: true },
      }),
    },
  ];

  const production = {
    scanner: { name: 'driftguard-demo', version: '1.0.0' },
    observedAt: now.toISOString(),
    observations: [
      {
        kind: 'modified',
        resource: {
          address: 'aws_instance.checkout',
          type: 'aws_instance',
          name: 'checkout',
          provider: 'aws',
          physicalId: 'i-0c7e1d2a9b3f4e5d6',
          source: 'compute/checkout.tf',
        },
        declared: { instance_type: 't3.large', ami: 'ami-0a1b2c3d4e5f60718', monitoring: true },
        actual: { instance_type: 'm5.2xlarge', ami: 'ami-0a1b2c3d4e5f60718', monitoring: true },
      },
      {
        kind: 'modified',
        resource: {
          address: 'aws_autoscaling_group.orders',
          type: 'aws_autoscaling_group',
          name: 'orders',
          provider: 'aws',
          physicalId: 'orders-asg',
          source: 'compute/orders.tf',
        },
        declared: { desired_capacity: 4, min_size: 2, max_size: 12 },
        actual: { desired_capacity: 9, min_size: 2, max_size: 12 },
      },
      {
        kind: 'modified',
        resource: {
          address: 'aws_lambda_function.orders_processor',
          type: 'aws_lambda_function',
          name: 'orders_processor',
          provider: 'aws',
          physicalId: 'orders-processor',
          source: 'functions/orders.tf',
        },
        declared: { runtime: 'nodejs20.x', environment: [{ variables: { LOG_LEVEL: 'info', QUEUE: 'orders' } }] },
        actual: { runtime: 'nodejs20.x', environment: [{ variables: { LOG_LEVEL: 'debug', QUEUE: 'orders' } }] },
      },
      {
        kind: 'modified',
        resource: {
          address: 'aws_security_group.bastion',
          type: 'aws_security_group',
          name: 'bastion',
          provider: 'aws',
          physicalId: 'sg-0a1b2c3d4e5f60718',
          source: 'network/security_groups.tf',
        },
        declared: { ingress: [{ from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['10.20.0.0/16'] }] },
        actual: {
          ingress: [
            { from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['10.20.0.0/16'] },
            { from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] },
          ],
        },
      },
      {
        kind: 'modified',
        resource: {
          address: 'aws_s3_bucket.reports',
          type: 'aws_s3_bucket',
          name: 'reports',
          provider: 'aws',
          physicalId: 'demo-reports-123456789012',
          source: 'storage/reports.tf',
        },
        declared: { tags: { team: 'finance', cost_center: 'cc-101' } },
        actual: { tags: { team: 'finance', cost_center: 'cc-202' } },
      },
    ],
  };

  const fixture = (path: string) => readFileSync(join(fixturesDir, path), 'utf8');
  const scans: DemoScan[] = [
    { env: 'production', format: 'native', scanner: 'driftguard-demo', body: JSON.stringify(production) },
    { env: 'staging', format: 'terraform-plan', scanner: 'terraform', body: fixture('terraform/plan-resource-drift.json') },
    {
      env: 'staging',
      format: 'driftctl',
      scanner: 'driftctl',
      body: fixture('driftctl/scan-output-with-differences.pre-v0.40.json'),
    },
    {
      env: 'staging',
      format: 'cloudformation',
      scanner: 'aws-cli',
      body: fixture('cloudformation/describe-stack-resource-drifts.awscli-lambda-not-equal.json'),
    },
    {
      env: 'staging',
      format: 'kubernetes',
      scanner: 'kubectl',
      body: JSON.stringify({
        declared: fixture('kubernetes/deploy-composite-key.declared.yaml'),
        live: fixture('kubernetes/deploy-composite-key.live.yaml'),
      }),
    },
  ];
  return { context, scans };
}
