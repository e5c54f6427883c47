import { describe, expect, it } from 'vitest';
import { asTruncatedValue, DriftDetectedV1Data } from '@driftguard/contracts';
import type { PropertyChange } from '../model/observation.js';
import { EVENT_CHANGES_MAX, EVENT_VALUE_MAX_BYTES, fitDetectedEvent } from './drift-detected.event.js';

const base = {
  driftEventId: 7,
  driftType: 'modified' as const,
  fingerprint: 'f'.repeat(64),
  resource: { address: 'v1/ConfigMap/default/app', type: 'v1/ConfigMap' },
  iacResourceId: null,
  isSecurityCritical: false,
  detectedAt: '2026-01-01T00:00:00.000Z',
};
const change = (path: string, declared: unknown, actual: unknown): PropertyChange => ({
  path,
  declared: declared as PropertyChange['declared'],
  actual: actual as PropertyChange['actual'],
  changeType: 'modified',
  sensitive: false,
  securityRuleIds: [],
});
const size = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

describe('fitDetectedEvent', () => {
  it('carries small changes as they are', () => {
    const data = fitDetectedEvent(base, [change('/data/a', 'x', 'y')]);
    expect(data.changes).toEqual([
      { path: '/data/a', declared: 'x', actual: 'y', changeType: 'modified', sensitive: false, securityRuleIds: [] },
    ]);
    expect(data.changesTruncated).toBeUndefined();
    expect(DriftDetectedV1Data.parse(data)).toEqual(data);
  });

  it('cuts a value above the stated size to a claim check, keeping the small side whole', () => {
    const big = { blob: 'z'.repeat(EVENT_VALUE_MAX_BYTES) };
    const data = fitDetectedEvent(base, [change(`/data/${'p'.repeat(600)}`, 'small', big)]);
    const [c] = data.changes;
    expect(c!.declared).toBe('small');
    expect(c!.truncated).toEqual(['actual']);
    const cut = asTruncatedValue(c!.actual)!;
    expect(cut.bytes).toBe(size(big));
    // the reference names the path as drift_changes stores it (clipped to 500 characters)
    expect(cut.ref.propertyPath).toHaveLength(500);
    expect(DriftDetectedV1Data.safeParse(data).success).toBe(true);
  });

  it('stays within a small budget by carrying the first changes and counting the rest', () => {
    const changes = Array.from({ length: 1_000 }, (_, i) => change(`/data/k${i}`, 'v'.repeat(300), 'w'.repeat(300)));
    const budget = 16 * 1024;
    const data = fitDetectedEvent(base, changes, budget);
    expect(size(data)).toBeLessThan(budget);
    expect(data.changes.map((c) => c.path)).toEqual(changes.slice(0, data.changes.length).map((c) => c.path));
    expect(data.changesTruncated).toEqual({ total: 1_000, included: data.changes.length, ref: { driftEventId: 7 } });
  });

  it(`never carries more than ${EVENT_CHANGES_MAX} changes`, () => {
    const changes = Array.from({ length: EVENT_CHANGES_MAX + 1 }, (_, i) => change(`/k${i}`, 1, 2));
    expect(fitDetectedEvent(base, changes).changes).toHaveLength(EVENT_CHANGES_MAX);
  });
});
