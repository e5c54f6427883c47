import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, driftRows, startIngest, waitUntil, type IngestHarness, type Tenant } from './harness.js';
import { kubeObject, ownedBy, type KubeBody } from './fixtures/kubernetes.builders.js';

/** Unmanaged Kubernetes objects through the real ingest: HTTP scan in, drift rows and drift.detected out. */
let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest('k8s-unmanaged');
});
afterAll(async () => {
  await h?.stop();
});

const pod = (securityContext?: KubeBody) => ({
  spec: { containers: [{ name: 'web', image: 'web:1.2', ...(securityContext ? { securityContext } : {}) }] },
});

const declaredYaml = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: 1
  template: { spec: { containers: [{ name: web, image: "web:1.2" }] } }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec: { selector: { app: web }, ports: [{ port: 80 }] }
`;
const liveDeclared = [
  kubeObject(
    'apps/v1',
    'Deployment',
    'web',
    'shop',
    { spec: { replicas: 1, template: pod() }, status: { readyReplicas: 1 } },
    { uid: 'd1', resourceVersion: '7' },
  ),
  kubeObject('v1', 'Service', 'web', 'shop', {
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }], clusterIP: '10.0.0.7' },
  }),
];
const clusterOwn = [
  kubeObject('apps/v1', 'ReplicaSet', 'web-5d8f', 'shop', { spec: { replicas: 1 } }, ownedBy('Deployment', 'web')),
  kubeObject('v1', 'Pod', 'web-5d8f-abcde', 'shop', pod(), ownedBy('ReplicaSet', 'web-5d8f')),
  kubeObject('v1', 'ConfigMap', 'kube-root-ca.crt', 'shop', { data: { 'ca.crt': 'x' } }),
  kubeObject('v1', 'ServiceAccount', 'default', 'shop'),
  kubeObject('v1', 'Endpoints', 'web', 'shop', { subsets: [] }),
  kubeObject('v1', 'Event', 'web.17a', 'shop', { reason: 'Scheduled' }),
  kubeObject('coordination.k8s.io/v1', 'Lease', 'leader', 'shop', { spec: {} }),
  kubeObject('v1', 'Secret', 'old-token', 'shop', { type: 'kubernetes.io/service-account-token', data: { token: 'c2VjcmV0' } }),
  kubeObject('v1', 'Pod', 'kube-proxy-x', 'kube-system', { spec: { hostNetwork: true, ...pod({ privileged: true }).spec } }),
  kubeObject('v1', 'ConfigMap', 'coredns', 'kube-system', { data: {} }),
];

function body(extra: KubeBody[]): string {
  return JSON.stringify({
    declared: declaredYaml,
    live: { apiVersion: 'v1', kind: 'List', items: [...liveDeclared, ...clusterOwn, ...extra] },
  });
}

async function scan(t: Tenant, b: string) {
  const id = await h.submit('kubernetes', b, { token: t.token });
  const result = await waitUntil(async () => {
    const r = await h.get(`/v1/scans/${id}`, t.token);
    return ['completed', 'rejected', 'failed'].includes(r.body.status) && r.body;
  });
  expect(result.status).toBe('completed');
  return result;
}

async function detectedEvents(envId: number) {
  const rows = await h.db.selectFrom('outbox').select(['payload']).where('event_type', '=', 'drift.detected.v1').execute();
  return rows.map((r) => r.payload as { envId: number; data: Record<string, unknown> }).filter((p) => p.envId === envId);
}

describe('unmanaged Kubernetes objects through ingest', () => {
  it('opens no drift for a declared Deployment running with its ReplicaSet, pods and the cluster’s own objects', async () => {
    const t = await createTenant(h.db);
    const result = await scan(t, body([]));
    expect(await driftRows(h.db, t.envId)).toEqual([]);
    expect(result.coverage).toMatchObject({ managed: 2, unmanaged: 0, missing: 0 });
  });

  it('opens one security-critical added drift for an undeclared privileged pod', async () => {
    const t = await createTenant(h.db);
    await scan(t, body([kubeObject('v1', 'Pod', 'debug', 'shop', pod({ privileged: true }), { uid: 'p9' })]));
    const rows = await driftRows(h.db, t.envId);
    expect(rows.map((r) => [r.type, r.resourceType, r.physicalId, r.metadata.securityRuleIds])).toEqual([
      ['added', 'v1/Pod', 'v1/Pod/shop/debug', ['DG-K8S-001']],
    ]);
    expect(rows[0]!.declared).toBeNull();
    expect(rows[0]!.actual).toMatchObject({ spec: { containers: [{ securityContext: { privileged: true } }] } });
    const events = await detectedEvents(t.envId);
    expect(events.map((e) => [e.data.driftType, e.data.isSecurityCritical])).toEqual([['added', true]]);
  });

  it('opens nothing in a namespace the environment ignores', async () => {
    const t = await createTenant(h.db);
    const rule = await h.db
      .insertInto('ignore_rules')
      .values({
        organization_id: t.orgId,
        environment_id: t.envId,
        syntax: 'json_pointer',
        address_pattern: '*/shop/*',
        reason: 'team sandbox',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const result = await scan(t, body([kubeObject('v1', 'Pod', 'debug', 'shop', pod({ privileged: true }))]));
    expect(await driftRows(h.db, t.envId)).toEqual([]);
    expect(result.report.suppressedByIgnoreRules[rule.id]).toBeGreaterThan(0);
  });
});
