import type { CauseActor } from './cause-input.js';

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
  /^system:(serviceaccount:(kube-system|karpenter|keda|argocd|flux-system|cert-manager)[:/]|kube-controller-manager|node:)|horizontal-pod-autoscaler|cluster-autoscaler|karpenter|keda/i;
const AWS_SERVICE = /(^|\s|\/)[a-z0-9-]+\.amazonaws\.com$|^arn:aws:iam::\d+:role\/aws-service-role\//i;

/** Classifies an audit principal; `unknown` when no audit event matched the change. */
export function classifyActor(actor: CauseActor | null | undefined): ActorKind {
  if (!actor || actor.principal.trim() === '') return 'unknown';
  const p = actor.principal;
  if (AWS_SERVICE.test(p) || (actor.invokedBy && AWS_SERVICE.test(actor.invokedBy))) return 'aws_service';
  if (K8S_CONTROLLER.test(p)) return 'k8s_controller';
  if (PIPELINE_ROLE.test(p)) return 'iac_pipeline';
  if (/^system:serviceaccount:/i.test(p)) return 'k8s_controller';
  return 'human';
}

/** Classifies the channel from the user agent (CloudTrail and Kubernetes audit formats). */
export function classifyChannel(actor: CauseActor | null | undefined, kind: ActorKind): Channel {
  const ua = actor?.userAgent?.toLowerCase() ?? '';
  if (/terraform|pulumi|cloudformation\.amazonaws\.com/.test(ua)) return 'terraform';
  if (/console\.amazonaws\.com|signin\.amazonaws\.com|aws-internal\/3|mozilla\//.test(ua)) return 'console';
  if (/^aws-cli\/|kubectl\/|^gcloud|azure-cli/.test(ua)) return 'cli';
  if (/aws-sdk|boto3|botocore|client-go|aws-sdk-go/.test(ua)) {
    return kind === 'k8s_controller' ? 'controller' : 'sdk';
  }
  if (kind === 'k8s_controller') return 'controller';
  if (kind === 'aws_service') return 'automation';
  if (kind === 'iac_pipeline') return 'terraform';
  return 'unknown';
}
