import type { ChangeChannel, DriftAttribution } from '@driftguard/contracts';
import type { CauseActor } from './cause-input.js';

type PrincipalKind = NonNullable<DriftAttribution['principalKind']>;

/** Who acted: a person, an IaC pipeline's role, a cloud service acting on its own, a Kubernetes controller. */
export const ACTOR_KINDS = ['human', 'iac_pipeline', 'aws_service', 'k8s_controller', 'unknown'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** Through what the change was made. */
export const CHANNELS = ['console', 'cli', 'sdk', 'terraform', 'controller', 'automation', 'unknown'] as const;
export type Channel = (typeof CHANNELS)[number];

// Role names IaC pipelines conventionally assume (Atlantis, Spacelift, GitHub Actions OIDC roles, …).
const PIPELINE_ROLE = /(terraform|atlantis|spacelift|env0|pipeline|github-?actions|gitlab|jenkins|deployer|cicd|ci-)/i;
// Controllers that reconcile Kubernetes objects; their drift is automation, not people.
const K8S_CONTROLLER =
  /^system:(serviceaccount:(kube-system|karpenter|keda|argocd|flux-system|cert-manager)[:/]|kube-controller-manager|node:)|horizontal-pod-autoscaler|cluster-autoscaler|karpenter|keda|^kube-controller-manager$|^vpa-(updater|recommender)$|-(operator|controller)$/i;
const AWS_SERVICE = /(^|\s|\/)[a-z0-9-]+\.amazonaws\.com$|^arn:aws:iam::\d+:role\/aws-service-role\//i;

/** Classifies an audit principal; `unknown` when no audit event matched the change. */
export function classifyActor(actor: CauseActor | null | undefined): ActorKind {
  if (!actor || actor.principal.trim() === '') return 'unknown';
  const p = actor.principal;
  if (actor.isIacPipeline) return 'iac_pipeline';
  if (AWS_SERVICE.test(p) || (actor.invokedBy && AWS_SERVICE.test(actor.invokedBy))) return 'aws_service';
  if (K8S_CONTROLLER.test(p)) return 'k8s_controller';
  if (PIPELINE_ROLE.test(p)) return 'iac_pipeline';
  if (/^system:serviceaccount:/i.test(p)) return 'k8s_controller';
  return 'human';
}

/**
 * The channel as drift.analyzed names it, from the user agent (CloudTrail and Kubernetes audit
 * formats): Terraform (`HashiCorp/… Terraform/…`), CloudFormation, the console, the AWS CLI,
 * kubectl, an SDK (`Boto3/…`, `aws-sdk-*`), a controller (client-go of a controller principal),
 * or, without a telling agent, the principal's kind.
 */
export function changeChannel(actor: CauseActor | null | undefined, kind: ActorKind): ChangeChannel {
  const ua = actor?.userAgent?.toLowerCase() ?? '';
  if (/cloudformation\.amazonaws\.com/.test(ua)) return 'cloudformation';
  if (/terraform|hashicorp|pulumi/.test(ua)) return 'terraform';
  if (/console(\.[a-z0-9-]+)?\.amazonaws\.com|signin\.amazonaws\.com|aws-internal\/3|mozilla\//.test(ua)) return 'console';
  if (/kubectl\//.test(ua)) return 'kubectl';
  if (/^aws-cli\/|^gcloud|azure-cli/.test(ua)) return 'cli';
  if (/aws-sdk|boto3|botocore|client-go|aws-sdk-go/.test(ua)) {
    return kind === 'k8s_controller' ? 'controller' : 'sdk';
  }
  if (kind === 'k8s_controller') return 'controller';
  if (kind === 'aws_service') return 'automation';
  if (kind === 'iac_pipeline') return 'terraform';
  return 'unknown';
}

/** The channel as the model's features know it (CloudFormation counts as Terraform, kubectl as a CLI). */
export function classifyChannel(actor: CauseActor | null | undefined, kind: ActorKind): Channel {
  const channel = changeChannel(actor, kind);
  if (channel === 'cloudformation') return 'terraform';
  if (channel === 'kubectl') return 'cli';
  return channel;
}

/** What kind of principal acted, as drift.analyzed names it. */
export function principalKindOf(actor: CauseActor | null | undefined, kind: ActorKind): PrincipalKind {
  switch (kind) {
    case 'unknown':
      return 'unknown';
    case 'aws_service':
      return 'service';
    case 'k8s_controller':
      return 'controller';
    case 'iac_pipeline':
      return 'automation';
    case 'human':
      return /^arn:aws[\w-]*:sts::\d+:assumed-role\//.test(actor?.principal ?? '') ? 'role_session' : 'human';
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/**
 * The IAM role behind an assumed-role session ARN (`arn:aws:sts::1:assumed-role/Deploy/run-7` →
 * `arn:aws:iam::1:role/Deploy`), so a pipeline configured by its role ARN is recognized in each session.
 */
export function roleOfSession(principal: string): string | null {
  const m = /^arn:(aws[\w-]*):sts::(\d+):assumed-role\/([^/]+)\/.+$/.exec(principal);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : null;
}

/** Whether the principal (or the role of its session) matches one of the environment's IaC pipeline patterns. */
export function matchesIacPipeline(principal: string, patterns: readonly RegExp[]): boolean {
  const role = roleOfSession(principal);
  return patterns.some((p) => p.test(principal) || (role !== null && p.test(role)));
}
