/**
 * Live objects no manifest declares (unmanaged, reported as `added`), within the scope of the
 * scan, as Argo CD's orphaned-resource monitoring does:
 * - namespaced objects count only in the namespaces the manifests target (a declared object's
 *   namespace, or a declared Namespace); cluster-scoped objects but Namespaces count whenever
 *   the scanner lists them (the live list says which kinds it covers);
 * - system namespaces (kube-system, kube-public, kube-node-lease) never count; an environment
 *   adds its own through ignore rules (README, "Unmanaged Kubernetes objects");
 * - objects no one declares by hand are left out: those a controller owns (ownerReferences with
 *   `controller: true`: a Deployment's ReplicaSets, their Pods, a Job's Pods), and those the
 *   cluster creates itself (see {@link isClusterCreated}).
 */
import { DEFAULT_NAMESPACE, isClusterScoped } from '../declared/kubernetes-identity.js';
import { isRecord, str, type JsonRecord } from './input.guards.js';
import type { KubeObject } from './kubernetes.objects.js';

/** Namespaces Kubernetes itself creates and fills. */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

/** Kinds only controllers and the API server write (Argo CD 3 excludes most of them by default). */
const GENERATED_KINDS = new Set([
  'Event',
  'Lease',
  'Node',
  'CSINode',
  'ComponentStatus',
  'ControllerRevision',
  'CertificateSigningRequest',
  'VolumeAttachment',
]);

/** Secret types written by controllers: legacy service-account tokens, Helm's release records. */
const GENERATED_SECRET_TYPES = new Set(['kubernetes.io/service-account-token', 'helm.sh/release.v1']);

/** The live objects of `live` that are unmanaged, in input order. */
export function unmanagedObjects(
  declared: readonly KubeObject[],
  live: readonly KubeObject[],
  matched: ReadonlySet<KubeObject>,
): KubeObject[] {
  const namespaces = new Set<string>();
  for (const d of declared) {
    if (d.kind === 'Namespace' && d.group === '') namespaces.add(d.name);
    else if (!isClusterScoped(d.kind)) namespaces.add(d.namespace ?? DEFAULT_NAMESPACE);
  }
  for (const l of matched) if (!isClusterScoped(l.kind)) namespaces.add(l.namespace ?? DEFAULT_NAMESPACE);
  const services = new Set(
    [...declared, ...live]
      .filter((o) => o.kind === 'Service' && o.group === '')
      .map((o) => `${o.namespace ?? DEFAULT_NAMESPACE}/${o.name}`),
  );
  return live.filter((l) => {
    if (matched.has(l)) return false;
    // Namespaces bound the scope rather than fall in it: one the manifests target but do not
    // declare was made with `kubectl create namespace`, and the others are outside the scan.
    if (l.kind === 'Namespace' && l.group === '') return false;
    if (isClusterScoped(l.kind)) return !isControlled(l.body) && !isClusterCreated(l, services);
    const ns = l.namespace ?? DEFAULT_NAMESPACE;
    return namespaces.has(ns) && !SYSTEM_NAMESPACES.has(ns) && !isControlled(l.body) && !isClusterCreated(l, services);
  });
}

/** A controller (Deployment, ReplicaSet, Job, an operator) owns the object and recreates it. */
function isControlled(body: JsonRecord): boolean {
  const refs = metadataOf(body).ownerReferences;
  return Array.isArray(refs) && refs.some((r) => isRecord(r) && r.controller === true);
}

/**
 * Objects the API server and built-in controllers create: each namespace's `kube-root-ca.crt`
 * ConfigMap and `default` ServiceAccount, Endpoints and EndpointSlices of a Service, the
 * `default/kubernetes` Service, token and Helm release Secrets, dynamically provisioned
 * PersistentVolumes, bootstrap RBAC (`system:*`,
 * `kubernetes.io/bootstrapping: rbac-defaults`), `system-*` PriorityClasses, automanaged
 * APIServices and auto-updated flow-control objects, and objects marked as accepted extras
 * (Argo CD's `IgnoreExtraneous` compare option).
 */
export function isClusterCreated(o: KubeObject, services: ReadonlySet<string>): boolean {
  if (GENERATED_KINDS.has(o.kind) || o.kind.endsWith('Review')) return true;
  const meta = metadataOf(o.body);
  const labels = isRecord(meta.labels) ? meta.labels : {};
  const annotations = isRecord(meta.annotations) ? meta.annotations : {};
  if (str(annotations['argocd.argoproj.io/compare-options'])?.includes('IgnoreExtraneous')) return true;
  const ns = o.namespace ?? DEFAULT_NAMESPACE;
  switch (o.kind) {
    case 'ConfigMap':
      return o.name === 'kube-root-ca.crt';
    case 'ServiceAccount':
      return o.name === 'default';
    case 'Secret':
      return GENERATED_SECRET_TYPES.has(str(o.body.type) ?? '');
    case 'Service':
      return ns === DEFAULT_NAMESPACE && o.name === 'kubernetes';
    case 'Endpoints':
      return services.has(`${ns}/${o.name}`);
    case 'EndpointSlice':
      return services.has(`${ns}/${str(labels['kubernetes.io/service-name']) ?? ''}`);
    case 'PersistentVolume':
      return annotations['pv.kubernetes.io/provisioned-by'] !== undefined;
    case 'PriorityClass':
      return o.name.startsWith('system-');
    case 'APIService':
      return labels['kube-aggregator.kubernetes.io/automanaged'] !== undefined;
    case 'FlowSchema':
    case 'PriorityLevelConfiguration':
      return annotations['apf.kubernetes.io/autoupdate-spec'] === 'true';
    default:
      if (o.group === 'rbac.authorization.k8s.io')
        return o.name.startsWith('system:') || labels['kubernetes.io/bootstrapping'] === 'rbac-defaults';
      return false;
  }
}

function metadataOf(body: JsonRecord): JsonRecord {
  return isRecord(body.metadata) ? body.metadata : {};
}
