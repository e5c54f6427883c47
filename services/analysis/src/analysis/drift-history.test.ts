import type { JsonValue } from '@driftguard/contracts';
import { describe, expect, it } from 'vitest';
import { fieldManagersOf, revertedToEarlierValue } from './drift-history.js';

const change = (path: string, declared: JsonValue, actual: JsonValue) => ({
  path,
  declared,
  actual,
  changeType: 'modified' as const,
  sensitive: false,
  securityRuleIds: [],
});

describe('revertedToEarlierValue', () => {
  it('sees a value put back to what the code declared before it moved on', () => {
    const earlier = [{ path: '/instance_type', declared: 'm5.large', actual: 'm5.xlarge' }];
    expect(revertedToEarlierValue([change('/instance_type', 'm6i.large', 'm5.large')], earlier)).toBe(true);
  });

  it('sees the same drift again (flapping), comparing objects whatever their key order', () => {
    const earlier = [{ path: '/tags', declared: { a: '1' }, actual: { team: 'web', env: 'prod' } }];
    expect(revertedToEarlierValue([change('/tags', { a: '1' }, { env: 'prod', team: 'web' })], earlier)).toBe(true);
  });

  it('does not call a first change, another path or a masked value a revert', () => {
    const earlier = [{ path: '/instance_type', declared: 'm5.large', actual: 'm5.xlarge' }];
    expect(revertedToEarlierValue([change('/instance_type', 'm5.large', 'm5.2xlarge')], earlier)).toBe(false);
    expect(revertedToEarlierValue([change('/ami', 'ami-1', 'm5.xlarge')], earlier)).toBe(false);
    expect(revertedToEarlierValue([{ ...change('/instance_type', 'x', 'm5.xlarge'), sensitive: true }], earlier)).toBe(false);
    expect(revertedToEarlierValue([change('/instance_type', 'm5.large', 'm5.xlarge')], [])).toBe(false);
  });
});

describe('fieldManagersOf', () => {
  it('credits the managers listing a changed path, else all', () => {
    const metadata = {
      attribution: {
        managers: [
          { manager: 'kubectl-client-side-apply', paths: ['/spec/template'] },
          { manager: 'kube-controller-manager', time: '2026-03-10T10:00:00Z', paths: ['/spec/replicas'] },
        ],
      },
    };
    expect(fieldManagersOf(metadata, ['/spec/replicas'])).toEqual([
      { manager: 'kube-controller-manager', time: '2026-03-10T10:00:00Z' },
    ]);
    expect(fieldManagersOf(metadata, ['/metadata/labels/x']).map((m) => m.manager)).toEqual([
      'kubectl-client-side-apply',
      'kube-controller-manager',
    ]);
    expect(fieldManagersOf({}, ['/spec/replicas'])).toEqual([]);
  });
});
