import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCauseModel, trainCauseModel, UNKNOWN_MAX_CONFIDENCE } from '../src/ml/index.js';
import { startPipeline, type Pipeline, type PipelineEnvironment } from './pipeline.harness.js';
import {
  alertmanager,
  cloudTrail,
  driftScan,
  githubPush,
  kubernetesAudit,
  pagerDuty,
  type NativeResource,
} from './source-payloads.js';

/**
 * Drifts as on-call engineers meet them, end to end: each source's deliveries in its own format
 * go through ingest's context endpoint, a native scan shows the drift, and analysis (with a
 * trained model active) must reach the cause, attribution and evidence a senior engineer would.
 * Each scenario has its own environment; 2026-03-10 is a Tuesday, 2026-03-15 a Sunday.
 */
let p: Pipeline;
let modelVersion: string;

beforeAll(async () => {
  p = await startPipeline('analysis_scenarios');
  const trained = await trainCauseModel({ seed: 42, samples: 2400, folds: 2, evalSamples: 600 });
  modelVersion = (await registerCauseModel(p.db, trained)).version;
}, 120_000);
afterAll(async () => p?.stop());

async function driftIn(
  env: PipelineEnvironment,
  resource: NativeResource,
  declared: unknown,
  actual: unknown,
  observedAt: string,
) {
  // Signals and drifts travel on different streams; the scenarios are about the analysis that
  // sees its context, so the signals posted before the scan are stored first.
  await p.settled();
  await p.scan(env, 'native', driftScan(resource, declared, actual, observedAt));
  return p.waitAnalyzed(env, (d) => d.drift?.resource.type === resource.type);
}

describe('hand-written scenarios through ingest and analysis', () => {
  it('an instance resized during a SEV1 by the on-call engineer’s assumed role, with no commit, is an emergency fix', async () => {
    const env = await p.environment('checkout');
    const instance = 'i-0abc123def4567890';
    const role = 'arn:aws:sts::123456789012:assumed-role/OnCall/alice@example.com';
    expect(
      await p.context(
        env,
        'pagerduty',
        pagerDuty({
          incidentId: 'Q1SEV1CHK',
          at: '2026-03-10T01:50:00Z',
          title: 'SEV1: checkout unavailable',
          priority: 'SEV1',
          service: 'checkout-api',
        }),
      ),
    ).toBe(202);
    expect(
      await p.context(
        env,
        'cloudtrail',
        cloudTrail({
          at: '2026-03-10T02:12:00Z',
          eventSource: 'ec2.amazonaws.com',
          eventName: 'ModifyInstanceAttribute',
          principal: role,
          userAgent: 'console.ec2.amazonaws.com',
          requestParameters: { instanceId: instance, instanceType: { value: 'm5.2xlarge' } },
          responseElements: { _return: true },
        }),
      ),
    ).toBe(202);

    const a = await driftIn(
      env,
      { type: 'aws_instance', address: 'aws_instance.checkout', name: 'checkout', physicalId: instance },
      { instance_type: 'm5.large' },
      { instance_type: 'm5.2xlarge' },
      '2026-03-10T02:40:00Z',
    );
    expect(a.cause.category).toBe('emergency_fix');
    expect(a.cause.confidence).toBeGreaterThan(0.5);
    expect(a.causeDetail).toMatchObject({ method: 'model', modelVersion });
    expect(a.causeDetail?.evidence).toEqual(expect.arrayContaining(['during an incident', 'actor known from the audit trail']));
    expect(a.attribution).toMatchObject({
      principal: role,
      principalKind: 'role_session',
      channel: 'console',
      isIacPipeline: false,
      source: 'cloudtrail',
      link: expect.stringContaining('https://eu-west-1.console.aws.amazon.com/cloudtrail/home?region=eu-west-1#/events/'),
    });
    expect(a.correlated).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'incident',
          sourceId: 'Q1SEV1CHK',
          status: 'open',
          severity: 'SEV1',
          match: 'environment',
        }),
        expect.objectContaining({ kind: 'audit_event', source: 'cloudtrail', match: 'resource', actor: role }),
      ]),
    );
    expect(a.correlated?.some((c) => c.kind === 'git_commit')).toBe(false);
    expect(a.temporal).toMatchObject({ timeZone: 'UTC', insideIncident: true, weekend: false, businessHours: false });
    expect(a.drift).toMatchObject({
      changedPaths: ['/instance_type'],
      changes: [expect.objectContaining({ path: '/instance_type', declared: 'm5.large', actual: 'm5.2xlarge' })],
      iacTool: 'terraform',
      scan: expect.objectContaining({ format: 'native' }),
      environment: { name: 'checkout', slug: 'checkout', tier: 'production', production: true, accountId: '123456789012' },
    });
    expect(a.analysisVersion).toBe(1);
  });

  it('a security group rule removed during a security incident by the security team’s role is a security response', async () => {
    const env = await p.environment('edge');
    const group = 'sg-0a1b2c3d4e5f67890';
    const role = 'arn:aws:sts::123456789012:assumed-role/SecurityTeam/erin@example.com';
    await p.context(
      env,
      'pagerduty',
      pagerDuty({
        incidentId: 'Q2SECBAST',
        at: '2026-03-10T13:20:00Z',
        title: 'Security incident: SSH brute force against the bastion',
        priority: 'P2',
        service: 'security-operations',
      }),
    );
    await p.context(
      env,
      'cloudtrail',
      cloudTrail({
        at: '2026-03-10T14:05:00Z',
        eventSource: 'ec2.amazonaws.com',
        eventName: 'RevokeSecurityGroupIngress',
        principal: role,
        userAgent:
          'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.ubuntu.22 prompt/off command/ec2.revoke-security-group-ingress',
        requestParameters: {
          groupId: group,
          ipPermissions: {
            items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }],
          },
        },
        responseElements: { _return: true },
      }),
    );
    const a = await driftIn(
      env,
      { type: 'aws_security_group', address: 'aws_security_group.bastion', name: 'bastion', physicalId: group },
      { ingress: [{ from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] }] },
      { ingress: [] },
      '2026-03-10T15:30:00Z',
    );
    expect(a.cause.category).toBe('security_response');
    expect(a.attribution).toMatchObject({ principal: role, principalKind: 'role_session', channel: 'cli' });
    expect(a.correlated).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'incident', sourceId: 'Q2SECBAST', status: 'open', severity: 'P2' }),
        expect.objectContaining({ kind: 'audit_event', match: 'resource' }),
      ]),
    );
    expect(a.temporal).toMatchObject({ insideIncident: true, businessHours: true });
    expect(a.drift?.iacTool).toBe('terraform');
  });

  it('the autoscaler’s service principal changing desired capacity while a load alert fires is an automated response', async () => {
    const env = await p.environment('workers');
    await p.context(
      env,
      'alertmanager',
      alertmanager({
        alertname: 'HighCPULoad',
        summary: 'CPU load above 90% on the workers fleet',
        severity: 'warning',
        startsAt: '2026-03-10T17:40:00Z',
        labels: { service: 'workers' },
      }),
    );
    await p.context(
      env,
      'cloudtrail',
      cloudTrail({
        at: '2026-03-10T17:52:00Z',
        eventSource: 'autoscaling.amazonaws.com',
        eventName: 'SetDesiredCapacity',
        principal: 'autoscaling.amazonaws.com',
        userAgent: 'autoscaling.amazonaws.com',
        requestParameters: { autoScalingGroupName: 'workers-asg', desiredCapacity: 12, honorCooldown: false },
      }),
    );
    const a = await driftIn(
      env,
      { type: 'aws_autoscaling_group', address: 'aws_autoscaling_group.workers', name: 'workers-asg', physicalId: 'workers-asg' },
      { desired_capacity: 4 },
      { desired_capacity: 12 },
      '2026-03-10T18:10:00Z',
    );
    expect(a.cause.category).toBe('automated_response');
    expect(a.attribution).toMatchObject({
      principal: 'autoscaling.amazonaws.com',
      principalKind: 'service',
      channel: 'automation',
      isIacPipeline: false,
    });
    expect(a.correlated).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'alert', source: 'alertmanager', status: 'open', severity: 'warning' }),
      ]),
    );
    expect(a.causeDetail?.evidence).toEqual(expect.arrayContaining(['while an alert fired']));
  });

  it('a debug log level set from the console while an error alert fires is manual troubleshooting', async () => {
    const env = await p.environment('orders');
    const role = 'arn:aws:sts::123456789012:assumed-role/Developer/bob@example.com';
    await p.context(
      env,
      'alertmanager',
      alertmanager({
        alertname: 'OrdersApiErrors',
        summary: 'orders-api error rate above 5%',
        severity: 'critical',
        startsAt: '2026-03-10T10:30:00Z',
        labels: { service: 'orders-api' },
      }),
    );
    await p.context(
      env,
      'cloudtrail',
      cloudTrail({
        at: '2026-03-10T10:58:00Z',
        eventSource: 'lambda.amazonaws.com',
        eventName: 'UpdateFunctionConfiguration20150331v2',
        principal: role,
        userAgent: 'console.amazonaws.com',
        requestParameters: { functionName: 'orders-api', environment: { variables: { LOG_LEVEL: 'DEBUG' } } },
        responseElements: {
          functionName: 'orders-api',
          functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders-api',
        },
      }),
    );
    const a = await driftIn(
      env,
      { type: 'aws_lambda_function', address: 'aws_lambda_function.orders_api', name: 'orders-api', physicalId: 'orders-api' },
      { environment: { variables: { LOG_LEVEL: 'INFO' } } },
      { environment: { variables: { LOG_LEVEL: 'DEBUG' } } },
      '2026-03-10T11:20:00Z',
    );
    expect(a.cause.category).toBe('manual_troubleshooting');
    expect(a.attribution).toMatchObject({ principal: role, principalKind: 'role_session', channel: 'console' });
    expect(a.correlated).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'alert', status: 'open', severity: 'critical' })]),
    );
    expect(a.temporal).toMatchObject({ businessHours: true, insideIncident: false });
  });

  it('a console change at 03:00 on a Sunday with nothing else going on reads as a configuration error', async () => {
    const env = await p.environment('data', { tier: 'production', timezone: 'Europe/Berlin' });
    const role = 'arn:aws:sts::123456789012:assumed-role/AdministratorAccess/frank@example.com';
    await p.context(
      env,
      'cloudtrail',
      cloudTrail({
        at: '2026-03-15T02:00:00Z',
        eventSource: 'rds.amazonaws.com',
        eventName: 'ModifyDBInstance',
        principal: role,
        userAgent: 'console.amazonaws.com',
        requestParameters: { dBInstanceIdentifier: 'orders-db', engineVersion: '15.6', applyImmediately: true },
        resources: [{ ARN: 'arn:aws:rds:eu-west-1:123456789012:db:orders-db', type: 'AWS::RDS::DBInstance' }],
      }),
    );
    const a = await driftIn(
      env,
      { type: 'aws_db_instance', address: 'aws_db_instance.orders', name: 'orders-db', physicalId: 'orders-db' },
      { engine_version: '15.4' },
      { engine_version: '15.6' },
      '2026-03-15T05:00:00Z',
    );
    // A person changed a production database by hand on a Sunday night, outside any incident,
    // alert, deployment or commit: an out-of-process change, not a response to anything.
    expect(a.cause.category).toBe('configuration_error');
    expect(a.attribution).toMatchObject({ principal: role, channel: 'console', principalKind: 'role_session' });
    // 02:00 UTC is 03:00 in Berlin.
    expect(a.temporal).toMatchObject({ timeZone: 'Europe/Berlin', weekend: true, businessHours: false, insideIncident: false });
    expect(a.correlated).toEqual([expect.objectContaining({ kind: 'audit_event', match: 'resource' })]);
  });

  it('a tag change with no signal at all is unknown, with low confidence and no evidence', async () => {
    const env = await p.environment('assets');
    const a = await driftIn(
      env,
      { type: 'aws_s3_bucket', address: 'aws_s3_bucket.assets', name: 'acme-assets', physicalId: 'acme-assets' },
      { tags: { CostCenter: 'web' } },
      { tags: { CostCenter: 'growth' } },
      '2026-03-11T09:00:00Z',
    );
    expect(a.cause.category).toBe('unknown');
    expect(a.cause.confidence).toBeLessThanOrEqual(UNKNOWN_MAX_CONFIDENCE);
    expect(a.attribution).toBeNull();
    expect(a.correlated).toEqual([]);
    expect(a.causeDetail?.evidence).toEqual([]);
    expect(a.temporal?.minutesFromNearestSignal).toBeNull();
  });
});

describe('matching signals to the drifted resource, in the sources’ formats', () => {
  it('ties a Kubernetes audit event by its object reference, not another kind of object with the same name', async () => {
    const env = await p.environment('cluster');
    await p.context(
      env,
      'kubernetes-audit',
      kubernetesAudit([
        {
          at: '2026-03-12T10:00:00Z',
          verb: 'patch',
          user: 'jane@acme.example',
          userAgent: 'kubectl/v1.29.1 (linux/amd64) kubernetes/bc401b9',
          objectRef: { resource: 'deployments', namespace: 'shop', name: 'checkout', apiGroup: 'apps', apiVersion: 'v1' },
        },
        {
          at: '2026-03-12T10:05:00Z',
          verb: 'patch',
          user: 'mallory@acme.example',
          userAgent: 'kubectl/v1.29.1 (linux/amd64) kubernetes/bc401b9',
          objectRef: { resource: 'services', namespace: 'shop', name: 'checkout', apiVersion: 'v1' },
        },
      ]),
    );
    const a = await driftIn(
      env,
      { type: 'apps/v1/Deployment', address: 'apps/v1/Deployment/shop/checkout', namespace: 'shop', name: 'checkout' },
      { spec: { replicas: 3 } },
      { spec: { replicas: 6 } },
      '2026-03-12T10:30:00Z',
    );
    expect(a.attribution).toMatchObject({ principal: 'jane@acme.example', channel: 'kubectl', source: 'kubernetes' });
    const audits = a.correlated?.filter((c) => c.kind === 'audit_event') ?? [];
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actor: 'jane@acme.example', match: 'resource' });
    expect(a.drift?.iacTool).toBe('kubernetes');
  });

  it('ties the commit that changed the declaring file, and not one changing another file', async () => {
    const env = await p.environment('network');
    await p.context(
      env,
      'github',
      githubPush([
        {
          sha: '1b2c3d4e5f60718293a4b5c6d7e8f90123456789',
          at: '2026-03-12T14:02:11-05:00',
          message: 'Open SSH to the bastion',
          modified: ['network/security_groups.tf'],
        },
        {
          sha: '2c3d4e5f60718293a4b5c6d7e8f901234567890a',
          at: '2026-03-12T14:05:00-05:00',
          message: 'Add logs bucket',
          modified: ['storage/logs.tf'],
        },
      ]),
      { 'x-github-event': 'push' },
    );
    const a = await driftIn(
      env,
      {
        type: 'aws_security_group',
        address: 'aws_security_group.bastion',
        physicalId: 'sg-0fedcba9876543210',
        source: 'git::https://github.com/acme/infra.git//network/security_groups.tf',
      },
      { description: 'bastion' },
      { description: 'bastion (temporary)' },
      '2026-03-12T19:30:00Z',
    );
    const commits = a.correlated?.filter((c) => c.kind === 'git_commit') ?? [];
    expect(commits).toEqual([
      expect.objectContaining({ sourceId: 'acme/infra@1b2c3d4e5f60718293a4b5c6d7e8f90123456789', match: 'declaring_file' }),
    ]);
    expect(a.causeDetail?.evidence).toContain('a commit touched the declaring file');
  });

  it('ties a CloudTrail call naming the resource only in its response, and recognizes the environment’s IaC pipeline role', async () => {
    const env = await p.environment('pipelines', {
      tier: 'staging',
      'driftguard:iac-principals': 'arn:aws:iam::123456789012:role/terraform-*, arn:aws:iam::123456789012:user/ci',
    });
    await p.context(
      env,
      'cloudtrail',
      cloudTrail({
        at: '2026-03-13T08:00:00Z',
        eventSource: 'lambda.amazonaws.com',
        eventName: 'CreateFunction20150331',
        principal: 'arn:aws:sts::123456789012:assumed-role/terraform-apply/run-7731',
        userAgent: 'APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0',
        requestParameters: { runtime: 'nodejs20.x', handler: 'index.handler' },
        responseElements: { functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:report-builder', version: '$LATEST' },
      }),
    );
    const a = await driftIn(
      env,
      {
        type: 'aws_lambda_function',
        address: 'aws_lambda_function.reports',
        name: 'report-builder',
        physicalId: 'report-builder',
      },
      { memory_size: 256 },
      { memory_size: 512 },
      '2026-03-13T08:30:00Z',
    );
    expect(a.attribution).toMatchObject({
      principal: 'arn:aws:sts::123456789012:assumed-role/terraform-apply/run-7731',
      channel: 'terraform',
      principalKind: 'automation',
      isIacPipeline: true,
    });
    expect(a.drift?.environment).toMatchObject({ tier: 'staging', production: false });
  });
});
