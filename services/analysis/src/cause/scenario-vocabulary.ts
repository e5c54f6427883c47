import type { ActorKind, Channel } from './actor.classify.js';
import type { CauseActor } from './cause-input.js';
import type { PropertyKind, ResourceKind } from './resource-kinds.js';
import type { Random } from './seeded-random.js';

/**
 * Realistic raw values for synthetic drifts: the principals, user agents, resource types and
 * property paths real audit trails and scanners produce, so the generator exercises the same
 * classification code real input goes through.
 */
const HUMAN_ROLES = ['OnCall', 'SRE', 'AdministratorAccess', 'PowerUser', 'Developer', 'SecurityTeam', 'IncidentResponder'];
const PEOPLE = ['alice', 'bob', 'carol', 'dan', 'erin', 'frank'];
const SERVICES = [
  'autoscaling.amazonaws.com',
  'application-autoscaling.amazonaws.com',
  'elasticloadbalancing.amazonaws.com',
  'rds.amazonaws.com',
];
const CONTROLLERS = [
  'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
  'system:serviceaccount:kube-system:cluster-autoscaler',
  'system:serviceaccount:karpenter:karpenter',
  'system:serviceaccount:keda:keda-operator',
];
const PIPELINES = [
  'arn:aws:sts::123456789012:assumed-role/terraform-apply/atlantis',
  'arn:aws:sts::123456789012:assumed-role/github-actions-deployer/run-1842',
];

const USER_AGENTS: Record<Channel, string[]> = {
  console: ['console.amazonaws.com', 'signin.amazonaws.com', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2)'],
  cli: ['aws-cli/2.15.0 Python/3.11.6 Darwin/23.2.0', 'kubectl/v1.29.0 (darwin/arm64)'],
  sdk: ['Boto3/1.34.2 Python/3.12 botocore/1.34.2', 'aws-sdk-go-v2/1.24.0 os/linux'],
  terraform: ['APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io)'],
  controller: ['kube-controller-manager/v1.29.0 (linux/amd64) client-go'],
  automation: ['autoscaling.amazonaws.com'],
  unknown: [''],
};

/** A raw audit principal of the given kind, with a user agent of the given channel. */
export function sampleActor(r: Random, kind: ActorKind, channel: Channel, role?: string): CauseActor | null {
  const userAgent = r.pick(USER_AGENTS[channel]);
  switch (kind) {
    case 'human':
      return {
        principal: `arn:aws:sts::123456789012:assumed-role/${role ?? r.pick(HUMAN_ROLES)}/${r.pick(PEOPLE)}@example.com`,
        userAgent,
      };
    case 'aws_service':
      return { principal: r.pick(SERVICES), userAgent: r.pick(USER_AGENTS.automation), invokedBy: r.pick(SERVICES) };
    case 'k8s_controller':
      return { principal: r.pick(CONTROLLERS), userAgent: r.pick(USER_AGENTS.controller) };
    case 'iac_pipeline':
      return { principal: r.pick(PIPELINES), userAgent: r.pick(USER_AGENTS.terraform) };
    case 'unknown':
      return null;
    default: {
      const exhaustive: never = kind;
      return exhaustive;
    }
  }
}

const RESOURCE_TYPES: Record<ResourceKind, string[]> = {
  compute: ['aws_instance', 'aws_autoscaling_group', 'AWS::EC2::Instance', 'aws_lambda_function', 'aws_ecs_service'],
  network: ['aws_lb', 'aws_route_table', 'aws_subnet', 'aws_route53_record'],
  security: ['aws_security_group', 'AWS::EC2::SecurityGroup', 'aws_kms_key', 'networking.k8s.io/v1/NetworkPolicy'],
  iam: ['aws_iam_role', 'aws_iam_policy', 'rbac.authorization.k8s.io/v1/RoleBinding'],
  database: ['aws_db_instance', 'aws_elasticache_cluster', 'AWS::RDS::DBInstance'],
  storage: ['aws_s3_bucket', 'aws_ebs_volume', 'AWS::S3::Bucket'],
  k8s_workload: ['apps/v1/Deployment', 'apps/v1/StatefulSet', 'autoscaling/v2/HorizontalPodAutoscaler'],
  other: ['aws_sns_topic', 'aws_sqs_queue', 'aws_cloudwatch_dashboard'],
};

const PATHS: Record<PropertyKind, string[]> = {
  size: ['/instance_type', '/instance_class', '/spec/template/spec/containers/0/resources/limits/memory', '/allocated_storage'],
  count: ['/desired_capacity', '/min_size', '/spec/replicas', '/max_size'],
  network: ['/subnet_ids', '/listener/0/port', '/route/0/gateway_id'],
  security: ['/ingress/0/cidr_blocks', '/egress/1', '/policy', '/server_side_encryption_configuration', '/block_public_acls'],
  tags: ['/tags/Owner', '/tags/CostCenter', '/metadata/labels/team', '/tags_all/Environment'],
  logging: ['/environment/variables/LOG_LEVEL', '/settings/log_level', '/monitoring', '/enabled_cloudwatch_logs_exports'],
  config: ['/engine_version', '/timeout', '/parameter/0/value', '/spec/template/spec/containers/0/image'],
  other: ['/description', '/display_name', '/fifo_queue'],
};

export const sampleResourceType = (r: Random, kind: ResourceKind): string => r.pick(RESOURCE_TYPES[kind]);
export const samplePath = (r: Random, kind: PropertyKind): string => r.pick(PATHS[kind]);
