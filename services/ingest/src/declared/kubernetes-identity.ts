/**
 * Kinds that live outside namespaces. A manifest does not say whether its kind is namespaced
 * (only API discovery does), so identity uses this list; other kinds whose name starts with
 * `Cluster` (ClusterIssuer, ClusterPolicy, …) are taken as cluster-scoped too.
 */
const CLUSTER_SCOPED_KINDS = new Set([
  'APIService',
  'CertificateSigningRequest',
  'ComponentStatus',
  'CSIDriver',
  'CSINode',
  'CustomResourceDefinition',
  'FlowSchema',
  'IngressClass',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'MutatingWebhookConfiguration',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PriorityClass',
  'PriorityLevelConfiguration',
  'RuntimeClass',
  'StorageClass',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration',
  'VolumeAttachment',
]);

/** Where `kubectl apply` puts a namespaced object whose manifest names no namespace. */
export const DEFAULT_NAMESPACE = 'default';

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED_KINDS.has(kind) || /^Cluster[A-Z]/.test(kind);
}

/**
 * The identity of a Kubernetes object, the one definition declared manifests, live objects and
 * drifts share: apiVersion, kind, namespace (undefined: not set), name.
 */
export interface KubernetesObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string | undefined;
  name: string;
}

/**
 * `<apiVersion>/<Kind>/<namespace>/<name>`: `apps/v1/Deployment/default/web`,
 * `v1/Namespace//prod` (core group: no group segment; cluster-scoped: empty namespace).
 */
export function kubernetesResourceId(ref: KubernetesObjectRef): string {
  const namespace = isClusterScoped(ref.kind) ? '' : ref.namespace || DEFAULT_NAMESPACE;
  return `${ref.apiVersion}/${ref.kind}/${namespace}/${ref.name}`;
}

/** `apps/v1/Deployment`, `v1/Secret`. */
export function kubernetesResourceType(ref: Pick<KubernetesObjectRef, 'apiVersion' | 'kind'>): string {
  return `${ref.apiVersion}/${ref.kind}`;
}

/** The API group of an apiVersion: `apps` for `apps/v1`, `` (core) for `v1`. */
export function kubernetesGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
