import { describe, expect, it } from 'vitest';
import { runAdapter } from './index.js';
import { toFindings } from '../lifecycle/drift-items.js';
import { compileIgnoreRules } from '../rules/index.js';
import type { AdapterOptions } from '../model/observation.js';
import { createValueHasher } from '../sensitivity/index.js';
import { kubeObject, ownedBy, type KubeBody } from '../../test/fixtures/kubernetes.builders.js';

/** A fixed key: these tests look at drift shapes, not at hash values. */
const hasher = createValueHasher(Buffer.alloc(32, 1));

const podSpec = (extra: KubeBody = {}) => ({ containers: [{ name: 'web', image: 'web:1.2', ...extra }] });

const deployment = kubeObject('apps/v1', 'Deployment', 'web', 'shop', { spec: { replicas: 1, template: { spec: podSpec() } } });
const service = kubeObject('v1', 'Service', 'web', 'shop', { spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
const declared = [deployment, service];

/** What a cluster running the declared Deployment and Service holds besides them. */
const clusterOwn = [
  kubeObject('apps/v1', 'ReplicaSet', 'web-5d8f', 'shop', { spec: { replicas: 1 } }, ownedBy('Deployment', 'web')),
  kubeObject('v1', 'Pod', 'web-5d8f-abcde', 'shop', { spec: podSpec() }, ownedBy('ReplicaSet', 'web-5d8f')),
  kubeObject('v1', 'ConfigMap', 'kube-root-ca.crt', 'shop', { data: { 'ca.crt': 'x' } }),
  kubeObject('v1', 'ServiceAccount', 'default', 'shop'),
  kubeObject('v1', 'Endpoints', 'web', 'shop', { subsets: [] }),
  kubeObject(
    'discovery.k8s.io/v1',
    'EndpointSlice',
    'web-x7k2p',
    'shop',
    { endpoints: [] },
    { labels: { 'kubernetes.io/service-name': 'web' } },
  ),
  kubeObject('v1', 'Event', 'web.17a', 'shop', { reason: 'Scheduled' }),
  kubeObject('events.k8s.io/v1', 'Event', 'web.17b', 'shop', { reason: 'Pulled' }),
  kubeObject('coordination.k8s.io/v1', 'Lease', 'leader', 'shop', { spec: {} }),
  kubeObject('v1', 'Secret', 'old-token', 'shop', { type: 'kubernetes.io/service-account-token', data: { token: 'c2VjcmV0' } }),
  kubeObject('v1', 'Pod', 'coredns-1', 'kube-system', { spec: podSpec({ securityContext: { privileged: true } }) }),
  kubeObject('v1', 'ConfigMap', 'cluster-info', 'kube-public', { data: {} }),
  kubeObject('v1', 'Namespace', 'kube-system', undefined),
  kubeObject('v1', 'Namespace', 'default', undefined),
  kubeObject('v1', 'Namespace', 'shop', undefined),
  kubeObject(
    'v1',
    'PersistentVolume',
    'pvc-1f2e',
    undefined,
    { spec: { capacity: { storage: '1Gi' } } },
    { annotations: { 'pv.kubernetes.io/provisioned-by': 'ebs.csi.aws.com' } },
  ),
  kubeObject(
    'v1',
    'ConfigMap',
    'accepted',
    'shop',
    { data: {} },
    { annotations: { 'argocd.argoproj.io/compare-options': 'IgnoreExtraneous' } },
  ),
  kubeObject('v1', 'Service', 'kubernetes', 'default', { spec: { ports: [{ port: 443 }] } }),
  kubeObject(
    'rbac.authorization.k8s.io/v1',
    'ClusterRoleBinding',
    'cluster-admin',
    undefined,
    { roleRef: { kind: 'ClusterRole', name: 'cluster-admin' } },
    { labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
  ),
  kubeObject('rbac.authorization.k8s.io/v1', 'ClusterRole', 'system:node', undefined, { rules: [] }),
];

const scan = (live: KubeBody[], opts: AdapterOptions = {}) =>
  runAdapter('kubernetes', JSON.stringify({ declared, live: { kind: 'List', items: [deployment, service, ...live] } }), opts);

describe('unmanaged Kubernetes objects', () => {
  it('reports nothing for a declared Deployment with its ReplicaSet, pods and the cluster’s own objects', () => {
    const out = scan(clusterOwn);
    expect(out.observations.map((o) => o.kind)).toEqual(['in_sync', 'in_sync']);
    expect(out.coverage).toEqual({ managed: 2, unmanaged: 0, missing: 0, percent: 100 });
  });

  it('reports an undeclared privileged Pod as added and security-critical', () => {
    const pod = kubeObject(
      'v1',
      'Pod',
      'debug',
      'shop',
      { spec: podSpec({ securityContext: { privileged: true } }), status: { phase: 'Running' } },
      { uid: 'u1', resourceVersion: '9' },
    );
    const out = scan([...clusterOwn, pod]);
    const added = out.observations.filter((o) => o.kind === 'added');
    expect(added).toEqual([
      {
        kind: 'added',
        resource: {
          type: 'v1/Pod',
          name: 'debug',
          namespace: 'shop',
          kind: 'Pod',
          apiVersion: 'v1',
          physicalId: 'v1/Pod/shop/debug',
        },
        actual: { metadata: { name: 'debug', namespace: 'shop' }, spec: podSpec({ securityContext: { privileged: true } }) },
      },
    ]);
    const [drift] = toFindings(1, 'kubernetes', added, hasher).drifts;
    expect(drift).toMatchObject({ driftType: 'added', securityRuleIds: ['DG-K8S-001'] });
    expect(out.coverage).toMatchObject({ managed: 2, unmanaged: 1 });
  });

  it('flags an unmanaged hostNetwork pod and a ClusterRoleBinding to cluster-admin', () => {
    const pod = kubeObject('v1', 'Pod', 'sniffer', 'shop', { spec: { hostNetwork: true, ...podSpec() } });
    const binding = kubeObject('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'ops-admin', undefined, {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'User', name: 'eve' }],
    });
    const { drifts } = toFindings(1, 'kubernetes', scan([pod, binding]).observations, hasher);
    expect(drifts.map((d) => [d.resource.physicalId, d.securityRuleIds])).toEqual([
      ['v1/Pod/shop/sniffer', ['DG-K8S-003']],
      ['rbac.authorization.k8s.io/v1/ClusterRoleBinding//ops-admin', ['DG-K8S-004', 'DG-K8S-005']],
    ]);
  });

  it('keeps to the namespaces the manifests target', () => {
    const elsewhere = kubeObject('v1', 'ConfigMap', 'theirs', 'other-team', { data: {} });
    const declaredNamespace = kubeObject('v1', 'ConfigMap', 'stray', 'shop', { data: {} });
    const kinds = scan([elsewhere, declaredNamespace]).observations.filter((o) => o.kind === 'added');
    expect(kinds.map((o) => o.resource.physicalId)).toEqual(['v1/ConfigMap/shop/stray']);
  });

  it('masks the data of an unmanaged Secret', () => {
    const secret = kubeObject('v1', 'Secret', 'creds', 'shop', {
      type: 'Opaque',
      data: { password: 'aHVudGVyMg==' },
      stringData: { token: 't0p' },
    });
    const [added] = scan([secret]).observations.filter((o) => o.kind === 'added');
    expect(JSON.stringify(added)).not.toMatch(/aHVudGVyMg|t0p/);
    expect(added).toMatchObject({ actual: { data: { password: '(sensitive)', token: '(sensitive)' } } });
  });

  it('leaves out a namespace the environment’s ignore rules name', () => {
    const ignore = compileIgnoreRules([{ id: 7, syntax: 'json_pointer', addressPattern: '*/shop/*' }]);
    const pod = kubeObject('v1', 'Pod', 'debug', 'shop', { spec: podSpec({ securityContext: { privileged: true } }) });
    const out = scan([pod], { ignore });
    expect(out.observations.filter((o) => o.kind === 'added')).toEqual([]);
    expect(ignore.suppressedCounts().get(7)).toBeGreaterThan(0);
  });
});
