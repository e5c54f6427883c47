import { describe, expect, it } from 'vitest';
import { runAdapter } from './index.js';

function deployment(replicas: number, managers?: { manager: string; fields: Record<string, unknown> }[]) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'shop',
      ...(managers
        ? {
            managedFields: managers.map((m) => ({
              manager: m.manager,
              operation: 'Update',
              apiVersion: 'apps/v1',
              fieldsType: 'FieldsV1',
              fieldsV1: m.fields,
            })),
          }
        : {}),
    },
    spec: { replicas, template: { spec: { containers: [{ name: 'web', image: 'web:1.2' }] } } },
  };
}

const declared = deployment(2);
const scan = (live: unknown) =>
  runAdapter('kubernetes', JSON.stringify({ declared: [declared], live: { kind: 'List', items: [live] } }), {});

describe('fields owned by controllers', () => {
  it('does not report replicas an autoscaler set through kube-controller-manager', () => {
    const live = deployment(7, [
      { manager: 'argocd-controller', fields: { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': {} } } } } },
      { manager: 'kube-controller-manager', fields: { 'f:spec': { 'f:replicas': {} } } },
    ]);
    expect(scan(live).observations).toEqual([expect.objectContaining({ kind: 'in_sync' })]);
  });

  it('reports the same change made by a person with kubectl edit', () => {
    const live = deployment(7, [{ manager: 'kubectl-edit', fields: { 'f:spec': { 'f:replicas': {} } } }]);
    const [o] = scan(live).observations;
    expect(o).toMatchObject({ kind: 'modified', changes: [{ path: '/spec/replicas', declared: 2, actual: 7 }] });
    expect((o as { attribution?: { managers: { manager: string }[] } }).attribution?.managers.map((m) => m.manager)).toEqual([
      'kubectl-edit',
    ]);
  });

  it('still reports a controller-owned parent’s other fields that drifted', () => {
    const live = deployment(7, [{ manager: 'kube-controller-manager', fields: { 'f:spec': { 'f:replicas': {} } } }]);
    live.spec.template.spec.containers[0]!.image = 'web:hotfix';
    const [o] = scan(live).observations;
    expect(o).toMatchObject({ kind: 'modified' });
    expect((o as { changes: { path: string }[] }).changes.map((c) => c.path)).toEqual(['/spec/template/spec/containers/0/image']);
  });
});
