import { describe, expect, it } from 'vitest';
import { changeChannel, classifyActor, classifyChannel, matchesIacPipeline, principalKindOf } from './actor.classify.js';
import type { CauseActor } from './cause-input.js';
import { principalPattern } from '../correlation/environment-profile.js';

const channelOf = (actor: CauseActor) => changeChannel(actor, classifyActor(actor));

describe('change channel from the user agent', () => {
  it('names the tool CloudTrail and Kubernetes audit user agents reveal', () => {
    const role = 'arn:aws:sts::1:assumed-role/Dev/bob';
    expect(channelOf({ principal: role, userAgent: 'console.ec2.amazonaws.com' })).toBe('console');
    expect(channelOf({ principal: role, userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1' })).toBe('cli');
    expect(channelOf({ principal: role, userAgent: 'Boto3/1.34.2 Python/3.12 botocore/1.34.2' })).toBe('sdk');
    expect(channelOf({ principal: role, userAgent: 'aws-sdk-js/3.540.0 ua/2.0 os/linux' })).toBe('sdk');
    expect(channelOf({ principal: role, userAgent: 'APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io)' })).toBe(
      'terraform',
    );
    expect(channelOf({ principal: role, userAgent: 'cloudformation.amazonaws.com' })).toBe('cloudformation');
    expect(channelOf({ principal: 'jane', userAgent: 'kubectl/v1.29.1 (linux/amd64) kubernetes/bc401b9' })).toBe('kubectl');
    expect(
      channelOf({
        principal: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
        userAgent: 'kube-controller-manager/v1.29.1 client-go',
      }),
    ).toBe('controller');
    expect(channelOf({ principal: 'autoscaling.amazonaws.com', userAgent: 'autoscaling.amazonaws.com' })).toBe('automation');
  });

  it('keeps the model’s coarser channels: CloudFormation as Terraform, kubectl as a CLI', () => {
    const actor = { principal: 'jane', userAgent: 'kubectl/v1.29.1' };
    expect(classifyChannel(actor, classifyActor(actor))).toBe('cli');
    const cfn = { principal: 'arn:aws:sts::1:assumed-role/Deploy/x', userAgent: 'cloudformation.amazonaws.com' };
    expect(classifyChannel(cfn, classifyActor(cfn))).toBe('terraform');
  });
});

describe('principal kind and IaC pipeline', () => {
  it('tells assumed-role sessions, IAM users, services and controllers apart', () => {
    const kind = (principal: string) => principalKindOf({ principal }, classifyActor({ principal }));
    expect(kind('arn:aws:sts::123456789012:assumed-role/OnCall/alice')).toBe('role_session');
    expect(kind('arn:aws:iam::123456789012:user/grace')).toBe('human');
    expect(kind('autoscaling.amazonaws.com')).toBe('service');
    expect(kind('kube-controller-manager')).toBe('controller');
    expect(principalKindOf(null, 'unknown')).toBe('unknown');
  });

  it('recognizes the environment’s pipeline by its role ARN in every session of it', () => {
    const patterns = ['arn:aws:iam::123456789012:role/terraform-*', 'arn:aws:iam::123456789012:user/ci'].map(principalPattern);
    expect(matchesIacPipeline('arn:aws:sts::123456789012:assumed-role/terraform-apply/run-1', patterns)).toBe(true);
    expect(matchesIacPipeline('arn:aws:iam::123456789012:user/ci', patterns)).toBe(true);
    expect(matchesIacPipeline('arn:aws:sts::123456789012:assumed-role/OnCall/terraform-fan', patterns)).toBe(false);
    expect(matchesIacPipeline('arn:aws:iam::123456789012:user/ci-bot', patterns)).toBe(false);
    const actor = { principal: 'arn:aws:sts::123456789012:assumed-role/deploy/x', isIacPipeline: true };
    expect(classifyActor(actor)).toBe('iac_pipeline');
  });
});
