import type { DriftAnalyzedV1 } from '@driftguard/contracts';
import { describe, expect, it } from 'vitest';
import { fitAnalyzedEvent } from './analyzed-event.fit.js';

const change = (i: number) => ({
  path: `/tags/k${i}`,
  declared: 'x'.repeat(1000),
  actual: 'y'.repeat(1000),
  changeType: 'modified' as const,
  sensitive: false,
  securityRuleIds: [],
});

const event = (n: number): DriftAnalyzedV1['data'] => ({
  driftEventId: 7,
  severityScore: 0.2,
  confidenceScore: 0.3,
  priority: 'low',
  cause: { category: 'unknown', confidence: 0.3 },
  riskAssessment: {},
  drift: {
    driftType: 'modified',
    resource: { type: 'aws_s3_bucket' },
    changedPaths: Array.from({ length: n }, (_, i) => `/tags/k${i}`),
    observedAt: '2026-03-10T10:00:00Z',
    changes: Array.from({ length: n }, (_, i) => change(i)),
  },
});

describe('fitAnalyzedEvent', () => {
  it('leaves an event under the budget as it is', () => {
    const e = event(3);
    expect(fitAnalyzedEvent(e, 64 * 1024)).toBe(e);
  });

  it('carries the first changes that fit and says how many of how many', () => {
    const fitted = fitAnalyzedEvent(event(100), 50 * 1024);
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(50 * 1024);
    const included = fitted.drift?.changes?.length ?? 0;
    expect(included).toBeGreaterThan(10);
    expect(included).toBeLessThan(100);
    expect(fitted.drift?.changes?.[0]?.path).toBe('/tags/k0');
    expect(fitted.drift?.changesTruncated).toEqual({ total: 100, included, ref: { driftEventId: 7 } });
    expect(fitted.drift?.changedPaths).toHaveLength(100);
  });
});
