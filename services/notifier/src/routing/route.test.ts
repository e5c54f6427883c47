import { describe, expect, it } from 'vitest';
import type { StoredItem } from '../alert/stored-item.js';
import { routeItem } from './route.js';
import type { ChannelRow, RuleRow } from './routing-rules.queries.js';

const channel = (id: number, extra: Partial<ChannelRow> = {}): ChannelRow => ({
  id,
  name: `c${id}`,
  type: 'slack',
  configuration: {},
  isActive: true,
  isDefault: false,
  ...extra,
});

const rule = (id: number, channelId: number, extra: Partial<RuleRow> = {}): RuleRow => ({
  id,
  environmentId: null,
  minPriority: 'low',
  match: {},
  channelId,
  continue: false,
  ...extra,
});

const item = (extra: Partial<StoredItem> = {}): StoredItem => ({
  driftEventId: 1,
  priority: 'high',
  severityScore: 0.7,
  isSecurityCritical: false,
  analysisPending: false,
  drift: { driftType: 'modified', resource: { type: 'aws_s3_bucket' }, changedPaths: [], observedAt: '2026-12-01T00:00:00Z' },
  environment: null,
  cause: { category: 'emergency_fix', confidence: 0.8, evidence: [] },
  recommendation: { id: 9, type: 'codify_iac', rationale: '', steps: [] },
  ...extra,
});

const ids = (cs: ChannelRow[]) => cs.map((c) => c.id).sort();

describe('routeItem', () => {
  const channels = [channel(1), channel(2), channel(3, { isDefault: true }), channel(4, { isActive: false })];

  it('stops at the first matching rule unless it says continue', () => {
    expect(ids(routeItem(item(), 7, [rule(1, 1), rule(2, 2)], channels))).toEqual([1]);
    expect(ids(routeItem(item(), 7, [rule(1, 1, { continue: true }), rule(2, 2)], channels))).toEqual([1, 2]);
  });

  it('matches environment, priority, severity, resource type, security-critical, cause and recommendation type', () => {
    const rules = [
      rule(1, 1, { environmentId: 8 }),
      rule(2, 1, { minPriority: 'critical' }),
      rule(3, 1, { match: { minSeverity: 0.9 } }),
      rule(4, 1, { match: { resourceTypes: ['aws_iam_*'] } }),
      rule(5, 1, { match: { securityCritical: true } }),
      rule(6, 1, { match: { causes: ['security_response'] } }),
      rule(7, 1, { match: { recommendationTypes: ['auto_revert'] } }),
      rule(8, 2, { environmentId: 7, minPriority: 'high', match: { resourceTypes: ['aws_s3_*'], causes: ['emergency_fix'] } }),
    ];
    expect(ids(routeItem(item(), 7, rules, channels))).toEqual([2]);
  });

  it('sends what no rule takes to the default channels, or to every active channel when none is default', () => {
    expect(ids(routeItem(item(), 7, [rule(1, 1, { minPriority: 'critical' })], channels))).toEqual([3]);
    const noDefault = channels.map((c) => ({ ...c, isDefault: false }));
    expect(ids(routeItem(item(), 7, [], noDefault))).toEqual([1, 2, 3]);
  });

  it('sends nothing to an inactive channel, even when a rule names it', () => {
    expect(ids(routeItem(item(), 7, [rule(1, 4)], channels))).toEqual([]);
  });
});
