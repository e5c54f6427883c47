/**
 * Security-critical property rules. A drift that matches one is flagged on its PropertyChange
 * (securityRuleIds) so severity and routing can treat it as critical. Data only: predicates are
 * small and built from security.predicates.ts.
 *
 * resourceTypes: exact types or globs (`*` any run of characters). Kubernetes types are
 * `<apiVersion>/<Kind>` (`apps/v1/Deployment`, `v1/Pod`). pathPattern: JSON-pointer patterns
 * (`*` one segment, `**` any); a change matches when it is at/below a pattern or is an ancestor
 * of one (a whole block added or removed).
 */
import type { Json } from '../model/observation.js';
import {
  bindsRole,
  bodyAfter,
  elementsAfter,
  exposesRiskyPort,
  portSpecExposes,
  turnedOff,
  turnedOn,
  valueNot,
  WORLD_IPV4,
  WORLD_IPV6,
  asList,
  type SecurityPredicate,
  type SecurityRuleContext,
} from './security.predicates.js';
import { scalarText } from '../model/scalar-text.js';

export interface SecurityRule {
  id: string;
  title: string;
  rationale: string;
  references: string[];
  match: { resourceTypes: string[]; pathPattern: string | string[]; predicate?: SecurityPredicate };
}

const hasWorld = (v: Json | undefined, world: Set<string>): boolean =>
  asList(v).some((x) => typeof x === 'string' && world.has(x));

const awsSgElementOpen = (r: Record<string, Json>): boolean =>
  (hasWorld(r.cidr_blocks, WORLD_IPV4) || hasWorld(r.ipv6_cidr_blocks, WORLD_IPV6)) &&
  exposesRiskyPort(r.protocol, r.from_port, r.to_port);

const cfnSgElementOpen = (r: Record<string, Json>): boolean =>
  (hasWorld(r.CidrIp, WORLD_IPV4) || hasWorld(r.CidrIpv6, WORLD_IPV6)) && exposesRiskyPort(r.IpProtocol, r.FromPort, r.ToPort);

const azureRuleOpen = (r: Record<string, Json>): boolean => {
  if (scalarText(r.direction ?? 'Inbound').toLowerCase() !== 'inbound') return false;
  if (scalarText(r.access ?? 'Allow').toLowerCase() !== 'allow') return false;
  if (!hasWorld(r.source_address_prefix, WORLD_IPV4) && !hasWorld(r.source_address_prefixes, WORLD_IPV4)) return false;
  const ranges = asList(r.destination_port_ranges);
  return (ranges.length > 0 ? ranges : [r.destination_port_range ?? '*']).some(portSpecExposes);
};

const googleFirewallOpen = (r: Record<string, Json>): boolean =>
  scalarText(r.direction ?? 'INGRESS').toUpperCase() === 'INGRESS' &&
  hasWorld(r.source_ranges, WORLD_IPV4) &&
  asList(r.allow).some((a) => {
    if (a === null || typeof a !== 'object' || Array.isArray(a)) return false;
    const ports = asList(a.ports);
    if (a.protocol === 'all') return true;
    return ports.length === 0 ? exposesRiskyPort(a.protocol ?? 'tcp', 0, 65535) : ports.some(portSpecExposes);
  });

/** For a resource that is one rule: judge the whole body after the change (or the change itself when no body is known). */
const standalone =
  (open: (r: Record<string, Json>) => boolean, ingressOnly?: (r: Record<string, Json>) => boolean): SecurityPredicate =>
  (ctx: SecurityRuleContext) => {
    const body = bodyAfter(ctx);
    if (!body) return hasWorld(ctx.change.actual, WORLD_IPV4) || hasWorld(ctx.change.actual, WORLD_IPV6);
    return (ingressOnly ? ingressOnly(body) : true) && open(body);
  };

const elementOpen =
  (open: (r: Record<string, Json>) => boolean): SecurityPredicate =>
  (ctx) =>
    elementsAfter(ctx).some(open);

export const SECURITY_RULES: readonly SecurityRule[] = [
  {
    id: 'DG-NET-001',
    title: 'Security group ingress open to the internet on an administrative or database port',
    rationale:
      'A rule allowing 0.0.0.0/0 or ::/0 to SSH, RDP, a database port or all ports exposes the workload to the internet.',
    references: ['CKV_AWS_24', 'CKV_AWS_25', 'CKV_AWS_260', 'CKV_AWS_277', 'AVD-AWS-0107'],
    match: {
      resourceTypes: ['aws_security_group', 'aws_default_security_group'],
      pathPattern: '/ingress',
      predicate: elementOpen(awsSgElementOpen),
    },
  },
  {
    id: 'DG-NET-001',
    title: 'Security group ingress open to the internet on an administrative or database port',
    rationale: 'A standalone ingress rule allowing the whole internet to a sensitive port.',
    references: ['CKV_AWS_24', 'CKV_AWS_25', 'CKV_AWS_260', 'AVD-AWS-0107'],
    match: {
      resourceTypes: ['aws_security_group_rule'],
      pathPattern: ['/cidr_blocks', '/ipv6_cidr_blocks', '/from_port', '/to_port', '/protocol', '/type'],
      predicate: standalone(awsSgElementOpen, (r) => r.type === undefined || r.type === 'ingress'),
    },
  },
  {
    id: 'DG-NET-001',
    title: 'Security group ingress open to the internet on an administrative or database port',
    rationale: 'A VPC security group ingress rule allowing the whole internet to a sensitive port.',
    references: ['CKV_AWS_24', 'CKV_AWS_25', 'CKV_AWS_260', 'AVD-AWS-0107'],
    match: {
      resourceTypes: ['aws_vpc_security_group_ingress_rule'],
      pathPattern: ['/cidr_ipv4', '/cidr_ipv6', '/from_port', '/to_port', '/ip_protocol'],
      predicate: standalone(
        (r) =>
          (hasWorld(r.cidr_ipv4, WORLD_IPV4) || hasWorld(r.cidr_ipv6, WORLD_IPV6)) &&
          exposesRiskyPort(r.ip_protocol, r.from_port, r.to_port),
      ),
    },
  },
  {
    id: 'DG-NET-001',
    title: 'Security group ingress open to the internet on an administrative or database port',
    rationale: 'CloudFormation security group ingress allowing the whole internet to a sensitive port.',
    references: ['CKV_AWS_24', 'CKV_AWS_25', 'CKV_AWS_260', 'AVD-AWS-0107'],
    match: {
      resourceTypes: ['AWS::EC2::SecurityGroup'],
      pathPattern: '/SecurityGroupIngress',
      predicate: elementOpen(cfnSgElementOpen),
    },
  },
  {
    id: 'DG-NET-001',
    title: 'Security group ingress open to the internet on an administrative or database port',
    rationale: 'A standalone CloudFormation ingress rule allowing the whole internet to a sensitive port.',
    references: ['CKV_AWS_24', 'CKV_AWS_25', 'AVD-AWS-0107'],
    match: {
      resourceTypes: ['AWS::EC2::SecurityGroupIngress'],
      pathPattern: ['/CidrIp', '/CidrIpv6', '/FromPort', '/ToPort', '/IpProtocol'],
      predicate: standalone(cfnSgElementOpen),
    },
  },
  {
    id: 'DG-NET-002',
    title: 'Network security group allows inbound internet traffic to an administrative or database port',
    rationale: 'An Allow/Inbound rule from * / Internet to SSH, RDP or a database port.',
    references: ['CKV_AZURE_9', 'CKV_AZURE_10'],
    match: {
      resourceTypes: ['azurerm_network_security_group'],
      pathPattern: '/security_rule',
      predicate: elementOpen(azureRuleOpen),
    },
  },
  {
    id: 'DG-NET-002',
    title: 'Network security group allows inbound internet traffic to an administrative or database port',
    rationale: 'A standalone Allow/Inbound rule from * / Internet to SSH, RDP or a database port.',
    references: ['CKV_AZURE_9', 'CKV_AZURE_10'],
    match: { resourceTypes: ['azurerm_network_security_rule'], pathPattern: '/**', predicate: standalone(azureRuleOpen) },
  },
  {
    id: 'DG-NET-003',
    title: 'Firewall allows ingress from the internet to an administrative or database port',
    rationale: 'A GCP firewall with source range 0.0.0.0/0 allowing SSH, RDP, a database port or all ports.',
    references: ['CKV_GCP_2', 'CKV_GCP_3'],
    match: {
      resourceTypes: ['google_compute_firewall'],
      pathPattern: ['/source_ranges', '/allow', '/direction', '/disabled'],
      predicate: standalone(googleFirewallOpen),
    },
  },
  {
    id: 'DG-IAM-001',
    title: 'IAM policy or permissions changed outside IaC',
    rationale: 'Permissions granted outside review are the most direct path to privilege escalation.',
    references: ['CKV_AWS_62', 'CKV_AWS_63', 'CKV_AWS_355', 'CKV_AWS_286', 'CKV_AWS_40', 'AVD-AWS-0057'],
    match: {
      resourceTypes: ['aws_iam_*', 'AWS::IAM::*'],
      pathPattern: [
        '/policy',
        '/inline_policy',
        '/managed_policy_arns',
        '/permissions_boundary',
        '/policy_arn',
        '/roles',
        '/users',
        '/groups',
        '/PolicyDocument',
        '/Policies',
        '/ManagedPolicyArns',
        '/PermissionsBoundary',
        '/Roles',
        '/Users',
        '/Groups',
      ],
    },
  },
  {
    id: 'DG-IAM-002',
    title: 'IAM role trust policy changed outside IaC',
    rationale: 'A changed trust policy lets new principals assume the role.',
    references: ['CKV_AWS_60', 'CKV_AWS_61'],
    match: {
      resourceTypes: ['aws_iam_role', 'AWS::IAM::Role'],
      pathPattern: ['/assume_role_policy', '/AssumeRolePolicyDocument'],
    },
  },
  {
    id: 'DG-S3-001',
    title: 'S3 public access block weakened',
    rationale: 'Each of the four flags blocks a way of making bucket contents public.',
    references: [
      'CKV_AWS_53',
      'CKV_AWS_54',
      'CKV_AWS_55',
      'CKV_AWS_56',
      'AVD-AWS-0086',
      'AVD-AWS-0087',
      'AVD-AWS-0091',
      'AVD-AWS-0093',
    ],
    match: {
      resourceTypes: ['aws_s3_bucket_public_access_block', 'aws_s3_account_public_access_block'],
      pathPattern: ['/block_public_acls', '/block_public_policy', '/ignore_public_acls', '/restrict_public_buckets'],
      predicate: turnedOff('block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'),
    },
  },
  {
    id: 'DG-S3-001',
    title: 'S3 public access block weakened',
    rationale: 'Each of the four flags blocks a way of making bucket contents public.',
    references: ['CKV_AWS_53', 'CKV_AWS_54', 'CKV_AWS_55', 'CKV_AWS_56'],
    match: {
      resourceTypes: ['AWS::S3::Bucket'],
      pathPattern: '/PublicAccessBlockConfiguration',
      predicate: turnedOff('BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'),
    },
  },
  {
    id: 'DG-S3-002',
    title: 'S3 bucket ACL or bucket policy changed outside IaC',
    rationale: 'ACLs and bucket policies decide who can read or write the data.',
    references: ['CKV_AWS_20', 'CKV_AWS_57', 'CKV_AWS_70'],
    match: {
      resourceTypes: ['aws_s3_bucket', 'aws_s3_bucket_acl', 'aws_s3_bucket_policy', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy'],
      pathPattern: ['/acl', '/grant', '/policy', '/access_control_policy', '/AccessControl', '/PolicyDocument'],
    },
  },
  {
    id: 'DG-ENC-001',
    title: 'Encryption at rest disabled',
    rationale: 'Unencrypted volumes, databases and buckets expose data through snapshots and backups.',
    references: ['CKV_AWS_3', 'CKV_AWS_16', 'CKV_AWS_19', 'CKV_AWS_145', 'AVD-AWS-0088'],
    match: {
      resourceTypes: [
        'aws_ebs_volume',
        'aws_instance',
        'aws_launch_template',
        'aws_db_instance',
        'aws_rds_cluster',
        'AWS::EC2::Volume',
        'AWS::RDS::DBInstance',
        'AWS::RDS::DBCluster',
      ],
      pathPattern: [
        '/encrypted',
        '/root_block_device/**/encrypted',
        '/ebs_block_device/**/encrypted',
        '/block_device_mappings/**/encrypted',
        '/storage_encrypted',
        '/Encrypted',
        '/StorageEncrypted',
      ],
      predicate: turnedOff('encrypted', 'storage_encrypted', 'Encrypted', 'StorageEncrypted'),
    },
  },
  {
    id: 'DG-ENC-001',
    title: 'Encryption at rest disabled',
    rationale: 'Bucket default encryption changed or removed outside IaC.',
    references: ['CKV_AWS_19', 'CKV_AWS_145', 'AVD-AWS-0088'],
    match: {
      resourceTypes: ['aws_s3_bucket', 'aws_s3_bucket_server_side_encryption_configuration', 'AWS::S3::Bucket'],
      pathPattern: ['/server_side_encryption_configuration', '/rule', '/BucketEncryption'],
    },
  },
  {
    id: 'DG-ENC-002',
    title: 'KMS key rotation disabled',
    rationale: 'Without rotation a compromised key material stays valid indefinitely.',
    references: ['CKV_AWS_7'],
    match: {
      resourceTypes: ['aws_kms_key', 'AWS::KMS::Key'],
      pathPattern: ['/enable_key_rotation', '/EnableKeyRotation'],
      predicate: turnedOff('enable_key_rotation', 'EnableKeyRotation'),
    },
  },
  {
    id: 'DG-LOG-001',
    title: 'Audit logging disabled or narrowed',
    rationale: 'Stopped, single-region or unvalidated trails leave changes (including this drift) unattributed.',
    references: ['CKV_AWS_67', 'CKV_AWS_36', 'CKV_AWS_252'],
    match: {
      resourceTypes: ['aws_cloudtrail', 'AWS::CloudTrail::Trail'],
      pathPattern: [
        '/enable_logging',
        '/is_multi_region_trail',
        '/enable_log_file_validation',
        '/IsLogging',
        '/IsMultiRegionTrail',
        '/EnableLogFileValidation',
      ],
      predicate: turnedOff(
        'enable_logging',
        'is_multi_region_trail',
        'enable_log_file_validation',
        'IsLogging',
        'IsMultiRegionTrail',
        'EnableLogFileValidation',
      ),
    },
  },
  {
    id: 'DG-LOG-002',
    title: 'S3 access logging changed',
    rationale: 'Bucket access logs are the evidence trail for data access.',
    references: ['CKV_AWS_18'],
    match: {
      resourceTypes: ['aws_s3_bucket', 'aws_s3_bucket_logging', 'AWS::S3::Bucket'],
      pathPattern: ['/logging', '/target_bucket', '/target_prefix', '/LoggingConfiguration'],
    },
  },
  {
    id: 'DG-DB-001',
    title: 'Database made publicly accessible',
    rationale: 'A publicly accessible database endpoint is reachable from the internet.',
    references: ['CKV_AWS_17'],
    match: {
      resourceTypes: ['aws_db_instance', 'aws_rds_cluster_instance', 'AWS::RDS::DBInstance'],
      pathPattern: ['/publicly_accessible', '/PubliclyAccessible'],
      predicate: turnedOn('publicly_accessible', 'PubliclyAccessible'),
    },
  },
  {
    id: 'DG-EC2-001',
    title: 'Instance metadata service v1 allowed',
    rationale: 'IMDSv1 (http_tokens optional) lets SSRF steal instance credentials.',
    references: ['CKV_AWS_79', 'AVD-AWS-0028'],
    match: {
      resourceTypes: ['aws_instance', 'aws_launch_template', 'aws_launch_configuration'],
      pathPattern: ['/metadata_options', '/metadata_options/**/http_tokens'],
      predicate: valueNot('required', 'http_tokens'),
    },
  },
  {
    id: 'DG-EC2-001',
    title: 'Instance metadata service v1 allowed',
    rationale: 'IMDSv1 (HttpTokens optional) lets SSRF steal instance credentials.',
    references: ['CKV_AWS_79', 'AVD-AWS-0028'],
    match: {
      resourceTypes: ['AWS::EC2::LaunchTemplate', 'AWS::EC2::Instance'],
      pathPattern: ['/LaunchTemplateData/MetadataOptions', '/MetadataOptions'],
      predicate: valueNot('required', 'HttpTokens'),
    },
  },
  {
    id: 'DG-K8S-001',
    title: 'Privileged container',
    rationale: 'A privileged container has full access to the node.',
    references: ['CKV_K8S_16'],
    match: {
      resourceTypes: KUBERNETES_WORKLOADS(),
      pathPattern: '/**/securityContext/privileged',
      predicate: turnedOn('privileged'),
    },
  },
  {
    id: 'DG-K8S-002',
    title: 'Privilege escalation allowed',
    rationale: 'allowPrivilegeEscalation lets a process gain more privileges than its parent (setuid).',
    references: ['CKV_K8S_20'],
    match: {
      resourceTypes: KUBERNETES_WORKLOADS(),
      pathPattern: '/**/securityContext/allowPrivilegeEscalation',
      predicate: turnedOn('allowPrivilegeEscalation'),
    },
  },
  {
    id: 'DG-K8S-003',
    title: 'Host namespaces shared with a pod',
    rationale: 'hostNetwork/hostPID/hostIPC break the pod out of its isolation.',
    references: ['CKV_K8S_17', 'CKV_K8S_18', 'CKV_K8S_19'],
    match: {
      resourceTypes: KUBERNETES_WORKLOADS(),
      pathPattern: ['/**/hostNetwork', '/**/hostPID', '/**/hostIPC'],
      predicate: turnedOn('hostNetwork', 'hostPID', 'hostIPC'),
    },
  },
  {
    id: 'DG-K8S-004',
    title: 'RBAC role or binding changed outside Git',
    rationale: 'Role rules and bindings decide who can do what in the cluster.',
    references: ['CKV_K8S_49', 'CKV_K8S_155'],
    match: {
      resourceTypes: [
        'rbac.authorization.k8s.io/*/Role',
        'rbac.authorization.k8s.io/*/ClusterRole',
        'rbac.authorization.k8s.io/*/RoleBinding',
        'rbac.authorization.k8s.io/*/ClusterRoleBinding',
      ],
      pathPattern: ['/rules', '/subjects', '/roleRef', '/aggregationRule'],
    },
  },
  {
    id: 'DG-K8S-005',
    title: 'Binding to cluster-admin',
    rationale: 'A binding to cluster-admin gives its subjects every permission on every object of the cluster.',
    references: ['CKV_K8S_155'],
    match: {
      resourceTypes: ['rbac.authorization.k8s.io/*/ClusterRoleBinding', 'rbac.authorization.k8s.io/*/RoleBinding'],
      pathPattern: ['/roleRef', '/subjects'],
      predicate: bindsRole('cluster-admin'),
    },
  },
];

function KUBERNETES_WORKLOADS(): string[] {
  return ['v1/Pod', 'v1/PodTemplate', 'v1/ReplicationController', 'apps/*', 'batch/*'];
}
