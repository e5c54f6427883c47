import { describe, expect, it } from 'vitest';
import type { Observation } from '../model/observation.js';
import { cloudformationAdapter } from './cloudformation.adapter.js';
import { kubernetesAdapter } from './kubernetes.adapter.js';
import { nativeAdapter } from './native.adapter.js';

const drift = (over: Record<string, unknown>) => ({
  StackId: 'arn:aws:cloudformation:eu-west-1:1:stack/s/1',
  LogicalResourceId: 'Res',
  ResourceType: 'AWS::S3::Bucket',
  StackResourceDriftStatus: 'MODIFIED',
  Timestamp: '2024-01-01T00:00:00Z',
  ...over,
});

describe('cloudformation adapter', () => {
  it('accepts a single DetectStackResourceDrift result and a bare array; UNKNOWN is not_checked with its reason', () => {
    const single = cloudformationAdapter({ StackResourceDrift: drift({ StackResourceDriftStatus: 'IN_SYNC' }) }, {});
    expect(single.observations.map((o) => o.kind)).toEqual(['in_sync']);
    const list = cloudformationAdapter(
      [
        drift({ StackResourceDriftStatus: 'UNKNOWN', DriftStatusReason: 'Internal failure' }),
        drift({ StackResourceDriftStatus: 'DELETED', LogicalResourceId: 'Gone' }),
      ],
      {},
    );
    expect(list.observations).toEqual([
      {
        kind: 'not_checked',
        resource: expect.objectContaining({ address: 'Res' }),
        status: 'UNKNOWN',
        reason: 'Internal failure',
        observedAt: '2024-01-01T00:00:00.000Z',
      },
      {
        kind: 'deleted',
        resource: expect.objectContaining({ address: 'Gone' }),
        declared: null,
        observedAt: '2024-01-01T00:00:00.000Z',
      },
    ]);
  });

  it('module resources are addressed with their logical id hierarchy', () => {
    const out = cloudformationAdapter(
      [
        drift({
          StackResourceDriftStatus: 'IN_SYNC',
          ModuleInfo: { LogicalIdHierarchy: 'Outer/Inner', TypeHierarchy: 'A::B::C::MODULE' },
        }),
      ],
      {},
    );
    expect(out.observations[0]!.resource).toMatchObject({ address: 'Outer/Inner/Res', module: 'Outer/Inner' });
  });

  it('drops a difference that is only policy statement order, and flags a real public access block change', () => {
    const p = (s: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: s });
    const a = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
    const b = { Effect: 'Deny', Action: ['s3:DeleteObject'], Resource: '*' };
    const out = cloudformationAdapter(
      [
        drift({
          ResourceType: 'AWS::S3::BucketPolicy',
          PropertyDifferences: [
            { PropertyPath: '/PolicyDocument', ExpectedValue: p([a, b]), ActualValue: p([b, a]), DifferenceType: 'NOT_EQUAL' },
          ],
        }),
        drift({
          LogicalResourceId: 'B2',
          PropertyDifferences: [
            {
              PropertyPath: '/PublicAccessBlockConfiguration/BlockPublicAcls',
              ExpectedValue: 'true',
              ActualValue: 'false',
              DifferenceType: 'NOT_EQUAL',
            },
          ],
        }),
      ],
      {},
    );
    expect(out.observations[0]!.kind).toBe('in_sync');
    const modified = out.observations[1] as Extract<Observation, { kind: 'modified' }>;
    expect(modified.changes).toEqual([
      {
        path: '/PublicAccessBlockConfiguration/BlockPublicAcls',
        declared: true,
        actual: false,
        changeType: 'modified',
        sensitive: false,
        securityRuleIds: ['DG-S3-001'],
      },
    ]);
  });
});

describe('kubernetes adapter', () => {
  const secret = (data: Record<string, string>, extra = {}) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's', namespace: 'app' },
    ...extra,
    data,
  });

  it('compares stringData to base64 data and masks secret values everywhere', () => {
    const same = kubernetesAdapter(
      {
        declared: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'app' }, stringData: { pw: 'hunter2' } },
        live: secret({ pw: 'aHVudGVyMg==' }),
      },
      {},
    );
    expect(same.observations.map((o) => o.kind)).toEqual(['in_sync']);
    const changed = kubernetesAdapter(
      {
        declared: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'app' }, stringData: { pw: 'hunter2' } },
        live: secret({ pw: 'b3RoZXI=' }),
      },
      {},
    );
    expect(changed.observations[0]).toMatchObject({
      kind: 'modified',
      changes: [{ path: '/data/pw', declared: '(sensitive)', actual: '(sensitive)', sensitive: true }],
    });
    expect(JSON.stringify(changed)).not.toMatch(/hunter2|aHVudGVyMg|b3RoZXI/);
  });

  it('a manifest without namespace matches the only live object of that name, else the one in default', () => {
    const cm = (ns: string, v: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: ns },
      data: { k: v },
    });
    const declared = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { k: 'x' } };
    expect(kubernetesAdapter({ declared, live: [cm('team-a', 'x')] }, {}).observations.map((o) => o.kind)).toEqual(['in_sync']);
    const two = kubernetesAdapter({ declared, live: [cm('team-a', 'x'), cm('default', 'y')] }, {});
    expect(two.observations[0]).toMatchObject({
      kind: 'modified',
      resource: { namespace: 'default' },
      changes: [{ path: '/data/k', declared: 'x', actual: 'y' }],
    });
  });

  it('ignores status, server metadata, clusterIP and live-only annotations; quantities by value', () => {
    const declared = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default', annotations: { team: 'a' } },
      spec: { ports: [{ port: 80, targetPort: 8080 }], selector: { app: 'web' } },
    };
    const live = {
      ...declared,
      metadata: {
        ...declared.metadata,
        uid: 'u',
        resourceVersion: '9',
        annotations: { team: 'a', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      },
      spec: {
        ...declared.spec,
        clusterIP: '10.0.0.1',
        ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }],
        type: 'ClusterIP',
      },
      status: { loadBalancer: {} },
    };
    expect(kubernetesAdapter({ declared, live }, {}).observations.map((o) => o.kind)).toEqual(['in_sync']);
  });

  it('privileged turned on live in a Deployment is a security-critical drift', () => {
    const dep = (sc: Record<string, unknown>) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'w', namespace: 'default' },
      spec: {
        template: {
          spec: { containers: [{ name: 'app', image: 'i', resources: { limits: { cpu: '500m' } }, securityContext: sc }] },
        },
      },
    });
    const live = dep({ privileged: true, runAsNonRoot: true });
    (live.spec.template.spec.containers[0]!.resources.limits as Record<string, unknown>).cpu = 0.5;
    const out = kubernetesAdapter({ declared: dep({ runAsNonRoot: true }), live }, {});
    expect(out.observations[0]).toMatchObject({
      kind: 'modified',
      changes: [
        {
          path: '/spec/template/spec/containers/0/securityContext/privileged',
          actual: true,
          changeType: 'added',
          securityRuleIds: ['DG-K8S-001'],
        },
      ],
    });
  });
});

describe('native adapter', () => {
  it('computes changes when absent, keeps given ones, and rejects bad items with their pointer', () => {
    const out = nativeAdapter(
      {
        scanner: { name: 'custom', version: '1' },
        observations: [
          {
            kind: 'modified',
            resource: { type: 'aws_db_instance', address: 'aws_db_instance.db' },
            declared: { publicly_accessible: false },
            actual: { publicly_accessible: true },
          },
          {
            kind: 'modified',
            resource: { type: 'x_thing' },
            declared: {},
            actual: {},
            changes: [{ path: '/a/b', declared: 1, actual: 2 }],
          },
          { kind: 'moved', resource: { type: 'x_thing', address: 'x_thing.new' }, previousAddress: 'x_thing.old' },
          { kind: 'exploded', resource: { type: 'x' } },
          { kind: 'added', resource: { type: '' } },
        ],
      },
      {},
    );
    expect(out.observations).toEqual([
      {
        kind: 'modified',
        resource: { type: 'aws_db_instance', address: 'aws_db_instance.db' },
        declared: { publicly_accessible: false },
        actual: { publicly_accessible: true },
        changes: [
          {
            path: '/publicly_accessible',
            declared: false,
            actual: true,
            changeType: 'modified',
            sensitive: false,
            securityRuleIds: ['DG-DB-001'],
          },
        ],
      },
      {
        kind: 'modified',
        resource: { type: 'x_thing' },
        declared: {},
        actual: {},
        changes: [{ path: '/a/b', declared: 1, actual: 2, changeType: 'modified', sensitive: false, securityRuleIds: [] }],
      },
      {
        kind: 'moved',
        resource: { type: 'x_thing', address: 'x_thing.new' },
        previousAddress: 'x_thing.old',
        declared: null,
        actual: null,
        changes: [],
      },
    ]);
    expect(out.rejected.map((r) => r.path)).toEqual(['/observations/3/kind', '/observations/4/resource/type']);
    expect(out.scanner).toEqual({ name: 'custom', version: '1' });
  });
});
