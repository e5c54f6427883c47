import { describe, expect, it } from 'vitest';
import type { Json, PropertyChange } from '../model/observation.js';
import { evaluateSecurity } from './security.evaluate.js';
import { SECURITY_RULES } from './security.rules.js';

const change = (
  path: string,
  declared: Json | undefined,
  actual: Json | undefined,
  changeType: PropertyChange['changeType'] = 'modified',
): PropertyChange => ({
  path,
  declared,
  actual,
  changeType,
  sensitive: false,
  securityRuleIds: [],
});
const ids = (type: string, c: PropertyChange, actual?: Json) =>
  evaluateSecurity({ type }, c, actual === undefined ? {} : { actual });

describe('security rules table', () => {
  it('every rule has a title, rationale and at least one reference', () => {
    for (const r of SECURITY_RULES) {
      expect(r.title.length).toBeGreaterThan(0);
      expect(r.rationale.length).toBeGreaterThan(0);
      expect(r.references.length).toBeGreaterThan(0);
    }
  });
});

describe('DG-NET-001 security group open to the internet', () => {
  const rule = (cidr: string, from: number, to: number, protocol = 'tcp') => ({
    cidr_blocks: [cidr],
    ipv6_cidr_blocks: [],
    from_port: from,
    to_port: to,
    protocol,
  });

  it.each([
    ['SSH', rule('0.0.0.0/0', 22, 22)],
    ['RDP', rule('0.0.0.0/0', 3389, 3389)],
    ['a range containing PostgreSQL', rule('0.0.0.0/0', 5000, 6000)],
    ['all protocols', rule('0.0.0.0/0', 0, 0, '-1')],
    ['IPv6 everywhere', { cidr_blocks: [], ipv6_cidr_blocks: ['::/0'], from_port: 3306, to_port: 3306, protocol: 'tcp' }],
  ])('flags an added ingress rule: %s', (_, r) => {
    expect(ids('aws_security_group', change('/ingress/1', undefined, r, 'added'))).toEqual(['DG-NET-001']);
  });

  it.each([
    ['HTTPS from anywhere', rule('0.0.0.0/0', 443, 443)],
    ['SSH from a private range', rule('10.0.0.0/8', 22, 22)],
    ['ICMP from anywhere', rule('0.0.0.0/0', -1, -1, 'icmp')],
  ])('does not flag: %s', (_, r) => {
    expect(ids('aws_security_group', change('/ingress/1', undefined, r, 'added'))).toEqual([]);
  });

  it('does not flag removing an open rule, nor egress', () => {
    expect(ids('aws_security_group', change('/ingress/0', rule('0.0.0.0/0', 22, 22), undefined, 'removed'))).toEqual([]);
    expect(ids('aws_security_group', change('/egress/0', undefined, rule('0.0.0.0/0', 22, 22), 'added'))).toEqual([]);
  });

  it('judges a leaf change inside a rule by the rule after the change', () => {
    const actual = { ingress: [rule('0.0.0.0/0', 22, 22)] };
    expect(ids('aws_security_group', change('/ingress/0/cidr_blocks/0', '10.0.0.0/8', '0.0.0.0/0'), actual)).toEqual([
      'DG-NET-001',
    ]);
  });

  it('covers standalone rules: aws_security_group_rule (ingress only), vpc ingress rules, CloudFormation', () => {
    expect(
      ids('aws_security_group_rule', change('/cidr_blocks/0', '10.0.0.0/8', '0.0.0.0/0'), {
        type: 'ingress',
        ...rule('0.0.0.0/0', 22, 22),
      }),
    ).toEqual(['DG-NET-001']);
    expect(
      ids('aws_security_group_rule', change('/cidr_blocks/0', '10.0.0.0/8', '0.0.0.0/0'), {
        type: 'egress',
        ...rule('0.0.0.0/0', 22, 22),
      }),
    ).toEqual([]);
    expect(
      ids('aws_vpc_security_group_ingress_rule', change('/cidr_ipv4', '10.0.0.0/8', '0.0.0.0/0'), {
        cidr_ipv4: '0.0.0.0/0',
        from_port: 3389,
        to_port: 3389,
        ip_protocol: 'tcp',
      }),
    ).toEqual(['DG-NET-001']);
    const cfn = { CidrIp: '0.0.0.0/0', FromPort: 22, ToPort: 22, IpProtocol: 'tcp' };
    expect(ids('AWS::EC2::SecurityGroup', change('/SecurityGroupIngress/0', undefined, cfn, 'added'))).toEqual(['DG-NET-001']);
    expect(ids('AWS::EC2::SecurityGroupIngress', change('/CidrIp', '10.0.0.0/8', '0.0.0.0/0'), cfn)).toEqual(['DG-NET-001']);
  });
});

describe('DG-NET-002 / DG-NET-003 Azure NSG and GCP firewall', () => {
  it('flags an Azure inbound allow from the internet to RDP, not to 443 or outbound', () => {
    const base = { name: 'r', direction: 'Inbound', access: 'Allow', source_address_prefix: '*', destination_port_range: '3389' };
    expect(ids('azurerm_network_security_group', change('/security_rule/0', undefined, base, 'added'))).toEqual(['DG-NET-002']);
    expect(
      ids(
        'azurerm_network_security_group',
        change('/security_rule/0', undefined, { ...base, destination_port_range: '443' }, 'added'),
      ),
    ).toEqual([]);
    expect(
      ids('azurerm_network_security_group', change('/security_rule/0', undefined, { ...base, direction: 'Outbound' }, 'added')),
    ).toEqual([]);
  });

  it('flags a GCP firewall opened to 0.0.0.0/0 on SSH, not when the source is private', () => {
    const fw = { direction: 'INGRESS', source_ranges: ['0.0.0.0/0'], allow: [{ protocol: 'tcp', ports: ['22'] }] };
    expect(ids('google_compute_firewall', change('/source_ranges/0', '10.0.0.0/8', '0.0.0.0/0'), fw)).toEqual(['DG-NET-003']);
    expect(
      ids('google_compute_firewall', change('/source_ranges/0', '10.0.0.0/8', '10.1.0.0/16'), {
        ...fw,
        source_ranges: ['10.1.0.0/16'],
      }),
    ).toEqual([]);
  });
});

describe('IAM rules', () => {
  it('flags any policy or attachment change on IAM resources (DG-IAM-001), trust policies too (DG-IAM-002)', () => {
    expect(ids('aws_iam_policy', change('/policy', {}, {}))).toEqual(['DG-IAM-001']);
    expect(ids('aws_iam_role_policy_attachment', change('/policy_arn', 'a', 'b'))).toEqual(['DG-IAM-001']);
    expect(ids('AWS::IAM::Role', change('/Policies/0/PolicyDocument', {}, {}))).toEqual(['DG-IAM-001']);
    expect(ids('aws_iam_role', change('/assume_role_policy', {}, {}))).toEqual(['DG-IAM-002']);
    expect(ids('AWS::IAM::Role', change('/AssumeRolePolicyDocument', {}, {}))).toEqual(['DG-IAM-002']);
  });

  it('does not flag descriptive changes on IAM resources', () => {
    expect(ids('aws_iam_user', change('/tags/team', 'a', 'b'))).toEqual([]);
    expect(ids('aws_iam_role', change('/description', 'a', 'b'))).toEqual([]);
  });
});

describe('S3 rules', () => {
  it('DG-S3-001: a public access block flag turned off, or the block removed', () => {
    for (const flag of ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets']) {
      expect(ids('aws_s3_bucket_public_access_block', change(`/${flag}`, true, false))).toEqual(['DG-S3-001']);
      expect(ids('aws_s3_bucket_public_access_block', change(`/${flag}`, false, true))).toEqual([]);
    }
    expect(
      ids('AWS::S3::Bucket', change('/PublicAccessBlockConfiguration', { BlockPublicAcls: true }, undefined, 'removed')),
    ).toEqual(['DG-S3-001']);
    expect(ids('aws_s3_bucket_public_access_block', change('/bucket', 'a', 'b'))).toEqual([]);
  });

  it('DG-S3-002: bucket ACL or policy changed', () => {
    expect(ids('aws_s3_bucket_acl', change('/acl', 'private', 'public-read'))).toEqual(['DG-S3-002']);
    expect(ids('aws_s3_bucket_policy', change('/policy', {}, {}))).toEqual(['DG-S3-002']);
    expect(ids('aws_s3_bucket', change('/tags/a', '1', '2'))).toEqual([]);
  });
});

describe('encryption, logging, database and metadata rules', () => {
  it('DG-ENC-001: encryption switched off on EBS, RDS and instance block devices; not when switched on', () => {
    expect(ids('aws_ebs_volume', change('/encrypted', true, false))).toEqual(['DG-ENC-001']);
    expect(ids('aws_db_instance', change('/storage_encrypted', true, false))).toEqual(['DG-ENC-001']);
    expect(ids('aws_instance', change('/root_block_device/0/encrypted', true, false))).toEqual(['DG-ENC-001']);
    expect(ids('AWS::RDS::DBInstance', change('/StorageEncrypted', true, false))).toEqual(['DG-ENC-001']);
    expect(ids('aws_ebs_volume', change('/encrypted', false, true))).toEqual([]);
    expect(
      ids(
        'aws_s3_bucket_server_side_encryption_configuration',
        change('/rule/0/apply_server_side_encryption_by_default/0/sse_algorithm', 'aws:kms', 'AES256'),
      ),
    ).toEqual(['DG-ENC-001']);
  });

  it('DG-ENC-002: KMS rotation disabled', () => {
    expect(ids('aws_kms_key', change('/enable_key_rotation', true, false))).toEqual(['DG-ENC-002']);
    expect(ids('aws_kms_key', change('/description', 'a', 'b'))).toEqual([]);
  });

  it('DG-LOG-001 / DG-LOG-002: CloudTrail stopped or narrowed, S3 access logging changed', () => {
    expect(ids('aws_cloudtrail', change('/enable_logging', true, false))).toEqual(['DG-LOG-001']);
    expect(ids('aws_cloudtrail', change('/is_multi_region_trail', true, false))).toEqual(['DG-LOG-001']);
    expect(ids('aws_cloudtrail', change('/enable_log_file_validation', true, false))).toEqual(['DG-LOG-001']);
    expect(ids('aws_cloudtrail', change('/enable_logging', false, true))).toEqual([]);
    expect(ids('aws_s3_bucket_logging', change('/target_bucket', 'logs', 'other'))).toEqual(['DG-LOG-002']);
  });

  it('DG-DB-001: database made public, not made private', () => {
    expect(ids('aws_db_instance', change('/publicly_accessible', false, true))).toEqual(['DG-DB-001']);
    expect(ids('aws_db_instance', change('/publicly_accessible', true, false))).toEqual([]);
  });

  it('DG-EC2-001: IMDSv1 allowed again, or metadata options removed', () => {
    expect(ids('aws_instance', change('/metadata_options/0/http_tokens', 'required', 'optional'))).toEqual(['DG-EC2-001']);
    expect(ids('aws_instance', change('/metadata_options/0/http_tokens', 'optional', 'required'))).toEqual([]);
    expect(ids('aws_launch_template', change('/metadata_options', [{ http_tokens: 'required' }], undefined, 'removed'))).toEqual([
      'DG-EC2-001',
    ]);
    expect(
      ids('AWS::EC2::LaunchTemplate', change('/LaunchTemplateData/MetadataOptions/HttpTokens', 'required', 'optional')),
    ).toEqual(['DG-EC2-001']);
  });
});

describe('Kubernetes rules', () => {
  const path = '/spec/template/spec/containers/0/securityContext';
  it('DG-K8S-001/002: privileged and privilege escalation turned on in a workload', () => {
    expect(ids('apps/v1/Deployment', change(`${path}/privileged`, false, true))).toEqual(['DG-K8S-001']);
    expect(ids('apps/v1/Deployment', change(`${path}/allowPrivilegeEscalation`, false, true))).toEqual(['DG-K8S-002']);
    expect(ids('apps/v1/Deployment', change(`${path}/privileged`, true, false))).toEqual([]);
    expect(
      ids(
        'apps/v1/Deployment',
        change('/spec/template/spec/containers/1', undefined, { name: 'x', securityContext: { privileged: true } }, 'added'),
      ),
    ).toEqual(['DG-K8S-001']);
  });

  it('DG-K8S-003: host namespaces; DG-K8S-004: RBAC changes', () => {
    expect(ids('v1/Pod', change('/spec/hostPID', undefined, true, 'added'))).toEqual(['DG-K8S-003']);
    expect(ids('v1/Pod', change('/spec/hostPID', true, false))).toEqual([]);
    expect(ids('rbac.authorization.k8s.io/v1/ClusterRole', change('/rules/0/verbs/0', 'get', '*'))).toEqual(['DG-K8S-004']);
    expect(
      ids('rbac.authorization.k8s.io/v1/RoleBinding', change('/subjects/1', undefined, { kind: 'User', name: 'eve' }, 'added')),
    ).toEqual(['DG-K8S-004']);
    expect(ids('v1/ConfigMap', change('/data/a', '1', '2'))).toEqual([]);
  });

  it('DG-K8S-005: a binding whose roleRef becomes cluster-admin', () => {
    const crb = 'rbac.authorization.k8s.io/v1/ClusterRoleBinding';
    expect(ids(crb, change('/roleRef/name', 'view', 'cluster-admin'))).toEqual(['DG-K8S-004', 'DG-K8S-005']);
    expect(ids(crb, change('/roleRef/name', 'cluster-admin', 'view'))).toEqual(['DG-K8S-004']);
  });
});
