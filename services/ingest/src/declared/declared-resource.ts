import type { IacTool, JsonValue } from '@driftguard/contracts';

/**
 * One resource as an IaC source declares it: what `iac_resources` stores.
 *
 * `resourceId` is the resource's address inside its repository, stable across reads:
 * - Terraform: the resource instance address, module path and index included
 *   (`module.net.aws_subnet.private["a"]`);
 * - CloudFormation: the logical id (`AppBucket`);
 * - Kubernetes: `<apiVersion>/<Kind>/<namespace>/<name>`, i.e. `<group>/<version>/<Kind>/…` with
 *   no group segment for the core group (`v1/ConfigMap/default/app`,
 *   `apps/v1/Deployment/default/web`). Cluster-scoped kinds have an empty namespace segment
 *   (`rbac.authorization.k8s.io/v1/ClusterRole//reader`); a namespaced object declared without a
 *   namespace lands in `default`, as `kubectl apply` does without a context namespace.
 */
export interface DeclaredResource {
  /** ≤ 100 characters: `aws_s3_bucket`, `AWS::S3::Bucket`, `apps/v1/Deployment`. */
  resourceType: string;
  /** ≤ 255 characters, see above. */
  resourceId: string;
  /** The declared configuration; sensitive leaves are replaced by {@link SENSITIVE_MASK}. */
  declaredState: JsonValue;
}

/** A part of the input that was read but could not become a resource, and why. */
export interface RejectedItem {
  /** RFC 6901 pointer into the input (multi-document YAML: `/<document index>/…`). */
  path: string;
  reason: string;
}

export interface DeclaredReadResult {
  resources: DeclaredResource[];
  rejected: RejectedItem[];
}

/** Declared-state input formats; `tfstate` and `terraform-show-json` both serve terraform repositories. */
export type DeclaredFormat = 'tfstate' | 'terraform-show-json' | 'kubernetes' | 'cloudformation';

export const DECLARED_FORMATS: readonly DeclaredFormat[] = ['tfstate', 'terraform-show-json', 'kubernetes', 'cloudformation'];

/** The formats a repository of each tool accepts. */
export function formatsForTool(tool: IacTool): readonly DeclaredFormat[] {
  switch (tool) {
    case 'terraform':
      return ['tfstate', 'terraform-show-json'];
    case 'kubernetes':
      return ['kubernetes'];
    case 'cloudformation':
      return ['cloudformation'];
    default: {
      const unknownTool: never = tool;
      throw new Error(`unknown IaC tool ${String(unknownTool)}`);
    }
  }
}

/** What a sensitive value is stored as: secrets never sit in `declared_state` in plain text. */
export { SENSITIVE_MARKER as SENSITIVE_MASK } from '../sensitivity/secret-mask.js';

export const MAX_RESOURCE_TYPE_LENGTH = 100;
export const MAX_RESOURCE_ID_LENGTH = 255;

/**
 * Why a resource identity cannot be stored, or null when it fits the columns.
 */
export function identityProblem(resourceType: string, resourceId: string): string | null {
  if (resourceType.length === 0) return 'resource type is empty';
  if (resourceType.length > MAX_RESOURCE_TYPE_LENGTH)
    return `resource type is ${resourceType.length} characters, at most ${MAX_RESOURCE_TYPE_LENGTH} fit`;
  if (resourceId.length === 0) return 'resource id is empty';
  if (resourceId.length > MAX_RESOURCE_ID_LENGTH)
    return `resource id "${resourceId.slice(0, 60)}…" is ${resourceId.length} characters, at most ${MAX_RESOURCE_ID_LENGTH} fit`;
  return null;
}

/**
 * Moves resources PostgreSQL cannot store into `rejected`: jsonb has no NUL character, so a
 * value holding one would fail the whole write. `text` is the input the result was read from;
 * only when it can spell a NUL (raw, `\u0000` or YAML's `\0`) are the resources examined.
 */
export function withoutUnstorable(
  result: DeclaredReadResult,
  text: string,
  pathOf: (r: DeclaredResource) => string = (r) => r.resourceId,
): DeclaredReadResult {
  if (!text.includes('\u0000') && !text.includes('\\u0000') && !text.includes('\\0')) return result;
  const resources: DeclaredResource[] = [];
  const rejected = [...result.rejected];
  for (const resource of result.resources) {
    if (JSON.stringify(resource.declaredState).includes('\\u0000')) {
      rejected.push({
        path: pathOf(resource),
        reason: `${resource.resourceId} holds a NUL character, which PostgreSQL jsonb cannot store`,
      });
    } else resources.push(resource);
  }
  return { resources, rejected };
}
