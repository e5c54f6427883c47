/**
 * Data tables the diff engine is compiled from: which arrays are sets, which keys are computed or
 * volatile, which hold JSON documents. Add rows here, not code in the engine.
 */
import type { Json } from '../model/observation.js';

export type DiffProfile = 'terraform' | 'cloudformation' | 'kubernetes' | 'generic';

/**
 * How an array is compared. `ordered`: index by index. `set`: a multiset of whole elements
 * (order-free; a changed element is one removal and one addition). `keyed`: elements matched by
 * key fields (Kubernetes merge keys, CloudFormation Tags by Key), matched pairs diffed leafwise.
 */
export type ArrayRule =
  | { readonly mode: 'ordered' }
  | { readonly mode: 'set' }
  | { readonly mode: 'keyed'; readonly keys: readonly string[]; readonly defaults?: Readonly<Record<string, Json>> };

export const SET: ArrayRule = { mode: 'set' };
export const ORDERED: ArrayRule = { mode: 'ordered' };
const keyed = (keys: string[], defaults?: Record<string, Json>): ArrayRule =>
  defaults ? { mode: 'keyed', keys, defaults } : { mode: 'keyed', keys };

/** Terraform: scalar lists that providers model as sets, at any depth. */
export const TERRAFORM_SET_KEYS = [
  'cidr_blocks',
  'ipv6_cidr_blocks',
  'security_groups',
  'prefix_list_ids',
  'vpc_security_group_ids',
  'subnet_ids',
  'security_group_ids',
  'aliases',
  'availability_zones',
  'source_ranges',
  'destination_ranges',
  'source_tags',
  'target_tags',
  'source_service_accounts',
  'target_service_accounts',
  'managed_policy_arns',
  'policy_arns',
  'roles',
  'users',
  'groups',
  'ports',
  'actions',
  'not_actions',
  'resources',
  'principals',
  'tags_list',
  'client_id_list',
  'thumbprint_list',
  'dns_names',
  'subject_alternative_names',
  'source_address_prefixes',
  'destination_address_prefixes',
  'destination_port_ranges',
  'source_port_ranges',
];
/** Suffixes that mark a scalar list as a set (terraform / generic). */
export const SET_KEY_SUFFIXES = ['_ids', '_arns', '_cidr_blocks'];

/** Terraform: object sets per resource type (rule lists). */
export const TERRAFORM_TYPE_ARRAYS: Record<string, Record<string, ArrayRule>> = {
  aws_security_group: { ingress: SET, egress: SET },
  aws_default_security_group: { ingress: SET, egress: SET },
  aws_network_acl: { ingress: SET, egress: SET },
  aws_default_network_acl: { ingress: SET, egress: SET },
  aws_instance: { ebs_block_device: keyed(['device_name']), ephemeral_block_device: keyed(['device_name']) },
  aws_autoscaling_group: { tag: keyed(['key']) },
  azurerm_network_security_group: { security_rule: keyed(['name']) },
  google_compute_firewall: { allow: SET, deny: SET },
  aws_iam_role: { inline_policy: keyed(['name']) },
};

/** CloudFormation property lists compared without order. */
export const CLOUDFORMATION_ARRAYS: Record<string, ArrayRule> = {
  Tags: keyed(['Key']),
  SecurityGroupIngress: SET,
  SecurityGroupEgress: SET,
  SecurityGroupIds: SET,
  SecurityGroups: SET,
  SubnetIds: SET,
  VpcSecurityGroupIds: SET,
  Aliases: SET,
  ManagedPolicyArns: SET,
  Roles: SET,
  Users: SET,
  Groups: SET,
};

/**
 * Kubernetes lists of maps with their merge keys (strategic-merge-patch / SSA list-map keys).
 * `ports` depends on the element shape (container port vs service port); see kubernetesArrayRule.
 */
export const KUBERNETES_ARRAYS: Record<string, ArrayRule> = {
  containers: keyed(['name']),
  initContainers: keyed(['name']),
  ephemeralContainers: keyed(['name']),
  env: keyed(['name']),
  volumes: keyed(['name']),
  volumeMounts: keyed(['mountPath']),
  volumeDevices: keyed(['devicePath']),
  imagePullSecrets: keyed(['name']),
  hostAliases: keyed(['ip']),
  topologySpreadConstraints: keyed(['topologyKey', 'whenUnsatisfiable']),
  resourceClaims: keyed(['name']),
  finalizers: SET,
};
export const KUBERNETES_CONTAINER_PORTS: ArrayRule = keyed(['containerPort', 'protocol'], { protocol: 'TCP' });
export const KUBERNETES_SERVICE_PORTS: ArrayRule = keyed(['port', 'protocol'], { protocol: 'TCP' });

/** Computed / volatile top-level attributes ignored for every Terraform resource. */
export const TERRAFORM_COMPUTED_KEYS = ['id', 'timeouts', 'tags_all'];
/** Per provider prefix. `*_date` style suffixes are in TERRAFORM_COMPUTED_SUFFIXES. */
export const TERRAFORM_PROVIDER_COMPUTED_KEYS: Record<string, string[]> = {
  aws: [
    'owner_id',
    'last_modified',
    'etag',
    'version_id',
    'latest_restorable_time',
    'unique_id',
    'create_date',
    'creation_date',
    'created_at',
    'created_time',
    'last_updated',
    'latest_version',
    'default_version',
    'bucket_domain_name',
    'bucket_regional_domain_name',
    'hosted_zone_id',
    'status_message',
    'primary_network_interface_id',
    'instance_state',
    'private_dns',
    'public_dns',
    'ipv6_address_count',
    'password_data',
    'outpost_arn',
  ],
  google: ['self_link', 'creation_timestamp', 'fingerprint', 'label_fingerprint', 'effective_labels', 'terraform_labels'],
  azurerm: [],
};
export const TERRAFORM_COMPUTED_SUFFIXES = ['_date', '_timestamp'];
/** Ignored only when the declared side leaves them unset (computed when not configured). */
export const COMPUTED_IF_UNSET_KEYS = ['arn', 'name_prefix', 'owner_id', 'kms_key_id', 'availability_zone'];

/** Attribute names that hold JSON documents compared semantically (parsed, policies normalized). */
export const JSON_DOCUMENT_KEY = /policy$|PolicyDocument$|^container_definitions$|^definition$|^access_policies$/i;

/* Which keys hold secrets is decided by name pattern in sensitivity/secret-names.ts, not a list here. */

/** Kubernetes: parents of resource quantities ("100m" == 0.1, "1Gi" == "1024Mi"). */
export const KUBERNETES_QUANTITY_PARENTS = new Set(['limits', 'requests', 'hard', 'used', 'capacity', 'allocatable', 'overhead']);

/**
 * Kubernetes fields compared even when the declared manifest leaves them out (live defaults are
 * false/absent): turning them on behind Git's back is drift that must not be missed.
 */
export const KUBERNETES_ALWAYS_COMPARED = new Set([
  'privileged',
  'allowPrivilegeEscalation',
  'hostNetwork',
  'hostPID',
  'hostIPC',
]);
