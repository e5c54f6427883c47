/** Deterministic shapes and values of the volume seed, and the COPY text encoding. */
export const DAY_MS = 86_400_000;
export const CAUSES = [
  'emergency_fix',
  'manual_troubleshooting',
  'security_response',
  'configuration_error',
  'automated_response',
  'unknown',
];
export const REC_TYPES = ['auto_revert', 'codify_iac', 'escalate_review', 'accept_exception', 'manual_review'];
export const PRIORITIES = ['low', 'medium', 'high', 'critical'];
export const RESOLUTIONS = ['auto_revert', 'codify_iac', 'accepted', 'escalated'];
export const DRIFT_TYPES = ['modified', 'modified', 'modified', 'modified', 'modified', 'modified', 'deleted', 'added', 'moved'];
/** A resource type: how its physical ids look and which properties drift. */
export interface ResourceType {
  type: string;
  id: (n: number) => string;
  paths: string[];
}

export const RESOURCE_TYPES: ResourceType[] = [
  {
    type: 'aws_security_group',
    id: (n) => `sg-${hex(n, 17)}`,
    paths: ['/ingress/0/cidr_blocks', '/ingress/1/from_port', '/egress/0/cidr_blocks', '/tags/Owner', '/description'],
  },
  {
    type: 'aws_instance',
    id: (n) => `i-${hex(n, 17)}`,
    paths: ['/instance_type', '/tags/Environment', '/monitoring', '/ebs_optimized', '/metadata_options/http_tokens'],
  },
  {
    type: 'aws_s3_bucket',
    id: (n) => `arn:aws:s3:::data-${hex(n, 8)}`,
    paths: ['/versioning/enabled', '/acl', '/tags/CostCenter', '/server_side_encryption_configuration/rule/sse_algorithm'],
  },
  {
    type: 'aws_iam_role',
    id: (n) => `arn:aws:iam::123456789012:role/svc-${hex(n, 6)}`,
    paths: ['/assume_role_policy/Statement/0/Principal', '/max_session_duration', '/tags/Team'],
  },
  {
    type: 'kubernetes_deployment',
    id: (n) => `apps/v1/Deployment/payments/api-${hex(n, 5)}`,
    paths: [
      '/spec/replicas',
      '/spec/template/spec/containers/0/image',
      '/spec/template/spec/containers/0/resources/limits/memory',
    ],
  },
];

/** A deterministic number in [0, 1) from an index and a salt (a 32-bit integer hash). */
export function rnd(i: number, salt: number): number {
  let h = Math.imul(i ^ Math.imul(salt, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h ^ salt, 0x27d4eb2f);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}
export function pick<T>(list: readonly T[], r: number): T {
  const v = list[Math.min(list.length - 1, Math.floor(r * list.length))];
  if (v === undefined) throw new RangeError('pick from an empty list');
  return v;
}
/** The resource type of resource number `n` (round robin). */
export const resourceType = (n: number) => pick(RESOURCE_TYPES, ((n % RESOURCE_TYPES.length) + 0.5) / RESOURCE_TYPES.length);
export function hex(n: number, len: number): string {
  return (Math.imul(n + 1, 2654435761) >>> 0).toString(16).padStart(8, '0').repeat(3).slice(0, len);
}
export const iso = (ms: number) => new Date(ms).toISOString();
/** COPY text format: \N for NULL; backslash, tab and newlines escaped. */
export const cell = (v: string | number | boolean | null): string =>
  v === null ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
export const row = (cells: (string | number | boolean | null)[]) => `${cells.map(cell).join('\t')}\n`;
