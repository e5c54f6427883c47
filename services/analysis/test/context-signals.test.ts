import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnalysis, waitUntil, type AnalysisHarness } from './analysis.harness.js';

const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();

let h: AnalysisHarness;
beforeAll(async () => {
  h = await startAnalysis('analysis-context');
});
afterAll(async () => h?.stop());

const incident = (status: string, occurredAt: string) => ({
  kind: 'incident' as const,
  externalSystem: 'pagerduty',
  externalId: 'Q2INC0007',
  occurredAt,
  resourceRefs: ['payments-api'],
  summary: 'Payments error rate',
  data: { incidentId: 'Q2INC0007', status, priority: 'P2', url: 'https://acme.pagerduty.com/incidents/Q2INC0007' },
});

describe('context signals', () => {
  it('keeps one row per signal: an update replaces the body and keeps the start time', async () => {
    const triggeredAt = hoursAgo(3);
    const triggered = await h.publish('context.incident.v1', incident('triggered', triggeredAt));
    // Redelivery of the same envelope and a later update of the incident.
    await h.publish('context.incident.v1', incident('triggered', triggeredAt), { id: triggered, msgId: `${triggered}:again` });
    await h.publish('context.incident.v1', incident('resolved', hoursAgo(1)));

    const row = await waitUntil(async () => {
      const rows = await h.db.selectFrom('context_signals').selectAll().where('external_id', '=', 'Q2INC0007').execute();
      const resolved = JSON.stringify(rows[0]?.data ?? null).includes('"status":"resolved"');
      return rows.length === 1 && resolved ? rows[0] : undefined;
    });
    expect(row).toMatchObject({
      organization_id: h.orgId,
      environment_id: h.envId,
      context_type: 'incident',
      external_system: 'pagerduty',
      resource_refs: ['payments-api'],
    });
    expect(row.occurred_at.toISOString()).toBe(triggeredAt);
    expect(row.data).toMatchObject({ summary: 'Payments error rate', url: 'https://acme.pagerduty.com/incidents/Q2INC0007' });
  });

  it('dead-letters a signal whose body names another kind than its subject, storing nothing', async () => {
    const id = await h.publish('context.alert.v1', { ...incident('triggered', hoursAgo(1)), externalId: 'mislabelled' });
    const letter = await waitUntil(async () =>
      h.db.selectFrom('dead_letters').select(['error', 'service']).where('message_id', '=', id).executeTakeFirst(),
    );
    expect(letter).toMatchObject({
      service: 'analysis',
      error: expect.stringContaining('a context.alert event carries a incident signal'),
    });
    const rows = await h.db.selectFrom('context_signals').select('id').where('external_id', '=', 'mislabelled').execute();
    expect(rows).toEqual([]);
  });
});
