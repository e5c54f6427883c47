import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifierWorld, recommendation, sleep, waitUntil, type NotifierWorld } from './notifier.harness.js';
import { startPagerDutyPeer, startSlackPeer, type PagerDutyPeer, type SlackPeer } from './peers/index.js';

describe('notifier grouping and resolution (real Slack and PagerDuty peers)', () => {
  let world: NotifierWorld;
  let slack: SlackPeer;
  let pagerduty: PagerDutyPeer;

  beforeAll(async () => {
    world = await createNotifierWorld('notifier_grouping');
    slack = await startSlackPeer();
    pagerduty = await startPagerDutyPeer();
    await world.addChannel('slack', 'drifts', { botToken: slack.botToken, channel: slack.channel, apiBaseUrl: slack.apiBaseUrl });
    await world.addChannel('pagerduty', 'on-call', { routingKey: pagerduty.routingKey, baseUrl: pagerduty.baseUrl });
    await world.startService();
  }, 60_000);

  afterAll(async () => {
    await world?.stop();
    await slack?.close();
    await pagerduty?.close();
  });

  it('sends 500 drifts of one scan in one environment as one Slack message and one PagerDuty incident naming the count', async () => {
    const envId = await world.addEnvironment('burst');
    const scanId = randomUUID();
    const before = { slack: slack.messages.size, pd: pagerduty.alerts.size };
    for (let i = 0; i < 500; i++) await world.publish('recommendation.created.v1', recommendation({ scanId }), { envId });
    const row = await waitUntil(async () => {
      const rows = await world.db.selectFrom('notifications').selectAll().where('status', '=', 'delivered').execute();
      const mine = rows.filter((r) => Array.isArray(r.covered_drift_ids) && r.covered_drift_ids.length === 500);
      return mine.length === 2 ? mine : undefined;
    }, 60_000);
    expect(row).toHaveLength(2);
    await sleep(2500); // a late second message would show here
    expect(slack.messages.size - before.slack).toBe(1);
    expect(pagerduty.alerts.size - before.pd).toBe(1);
    const message = [...slack.messages.values()].at(-1);
    expect(message?.text).toContain('500 drifts');
    // On a slow machine the group may flush before all 500 arrive: the rest then update the same
    // incident (same dedup_key) and edit the same Slack message, never open a second one.
    const incident = [...pagerduty.alerts.values()].at(-1);
    expect(new Set(incident?.events.map((e) => e.dedup_key)).size).toBe(1);
    expect(incident?.events.at(-1)?.payload?.summary).toContain('500 drifts');
  }, 90_000);

  it('sends a critical drift at once, without waiting for the group to gather', async () => {
    const envId = await world.addEnvironment('critical');
    const data = recommendation({ priority: 'critical', securityCritical: true });
    await world.publish('recommendation.created.v1', data, { envId });
    const delivered = await waitUntil(async () => {
      const rows = await world.db
        .selectFrom('notifications')
        .select(['covered_drift_ids', 'delivered_at', 'created_at'])
        .where('status', '=', 'delivered')
        .execute();
      const mine = rows.filter((r) => JSON.stringify(r.covered_drift_ids) === JSON.stringify([data.driftEventId]));
      return mine.length === 2 ? mine : undefined;
    });
    // group_wait is 1.5 s here: the critical drift was queued to flush on arrival.
    const groups = await world.db
      .selectFrom('notification_groups')
      .select(['created_at', 'last_flushed_at'])
      .where('environment_id', '=', envId)
      .execute();
    expect(groups).toHaveLength(1);
    const [g] = groups;
    expect((g?.last_flushed_at?.getTime() ?? Infinity) - (g?.created_at.getTime() ?? 0)).toBeLessThan(1500);
    expect(delivered).toHaveLength(2);
  }, 30_000);

  it('resolves the PagerDuty incident under the same dedup_key and updates the Slack message when the drift is resolved', async () => {
    const envId = await world.addEnvironment('resolving');
    const data = recommendation({ priority: 'critical' });
    await world.publish('recommendation.created.v1', data, { envId });
    const trigger = await waitUntil(async () => {
      const rows = await world.db
        .selectFrom('notifications')
        .selectAll()
        .where('status', '=', 'delivered')
        .where('action', '=', 'trigger')
        .execute();
      const mine = rows.filter((r) => JSON.stringify(r.covered_drift_ids) === JSON.stringify([data.driftEventId]));
      return mine.length === 2 ? mine : undefined;
    });
    const alertKey = trigger[0]?.alert_key;
    await world.publish(
      'drift.resolved.v1',
      {
        driftEventId: data.driftEventId,
        resolvedAt: new Date().toISOString(),
        resolutionType: 'auto_revert',
        resolvedBy: 'scan',
      },
      { envId },
    );
    const resolved = await waitUntil(async () => {
      const rows = await world.db
        .selectFrom('notifications')
        .selectAll()
        .where('action', '=', 'resolve')
        .where('alert_key', '=', alertKey ?? '')
        .where('status', '=', 'delivered')
        .execute();
      return rows.length === 2 ? rows : undefined;
    });
    expect(resolved).toHaveLength(2);
    const incident = [...pagerduty.alerts.values()].find((a) =>
      a.events.some((e) => e.payload?.summary.includes(data.drift?.resource.address ?? '?')),
    );
    expect(incident?.status).toBe('resolved');
    expect(incident?.events.map((e) => e.event_action)).toEqual(['trigger', 'resolve']);
    expect(new Set(incident?.events.map((e) => e.dedup_key)).size).toBe(1);
    expect(incident?.events.every((e) => e.routing_key === pagerduty.routingKey)).toBe(true);
    const message = [...slack.messages.values()].find((m) => m.text.includes(data.drift?.resource.address ?? '?'));
    expect(message?.edits).toBe(1);
    expect(message?.text).toMatch(/resolved/i);
  }, 30_000);

  it('does not alert for a drift whose resolution arrived before its recommendation', async () => {
    const envId = await world.addEnvironment('late');
    const late = recommendation({ priority: 'critical' });
    const control = recommendation({ priority: 'critical' });
    await world.publish(
      'drift.resolved.v1',
      {
        driftEventId: late.driftEventId,
        resolvedAt: new Date().toISOString(),
        resolutionType: 'auto_revert',
        resolvedBy: 'scan',
      },
      { envId },
    );
    await waitUntil(() =>
      world.db
        .selectFrom('notification_resolved_drifts')
        .selectAll()
        .where('drift_event_id', '=', late.driftEventId)
        .executeTakeFirst(),
    );
    await world.publish('recommendation.created.v1', late, { envId });
    await world.publish('recommendation.created.v1', control, { envId });
    const rows = await waitUntil(async () => {
      const r = await world.db.selectFrom('notifications').selectAll().where('status', '=', 'delivered').execute();
      const mine = r.filter((x) => Array.isArray(x.covered_drift_ids) && x.covered_drift_ids.includes(control.driftEventId));
      return mine.length === 2 ? mine : undefined;
    });
    expect(rows.every((r) => JSON.stringify(r.covered_drift_ids) === JSON.stringify([control.driftEventId]))).toBe(true);
    const items = await world.db
      .selectFrom('notification_group_items')
      .select('drift_event_id')
      .where('drift_event_id', '=', late.driftEventId)
      .execute();
    expect(items).toHaveLength(0);
  }, 30_000);

  it('retries a PagerDuty 429 and opens the incident once', async () => {
    const envId = await world.addEnvironment('throttled');
    const incidentsBefore = pagerduty.alerts.size;
    pagerduty.script(pagerduty.answers.throttled());
    const data = recommendation({ priority: 'critical' });
    await world.publish('recommendation.created.v1', data, { envId });
    const rows = await waitUntil(async () => {
      const r = await world.db.selectFrom('notifications').selectAll().where('status', '=', 'delivered').execute();
      const mine = r.filter((x) => JSON.stringify(x.covered_drift_ids) === JSON.stringify([data.driftEventId]));
      return mine.length === 2 ? mine : undefined;
    });
    const attempts = await world.db
      .selectFrom('notification_deliveries')
      .select(['notification_id', 'response_code'])
      .where(
        'notification_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('attempt')
      .execute();
    expect(attempts.map((a) => a.response_code).sort()).toEqual([200, 202, 429]);
    expect(pagerduty.alerts.size - incidentsBefore).toBe(1);
  }, 30_000);
});
