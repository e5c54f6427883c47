import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifierWorld, recommendation, sleep, waitUntil, type NotifierWorld } from './notifier.harness.js';
import { startPagerDutyPeer, startSlackPeer, type PagerDutyPeer, type SlackPeer } from './peers/index.js';

async function rowsOf(world: NotifierWorld, driftEventId: number) {
  const rows = await world.db.selectFrom('notifications').selectAll().orderBy('id').execute();
  return rows.filter((r) => Array.isArray(r.covered_drift_ids) && r.covered_drift_ids.includes(driftEventId));
}

describe('silences, maintenance windows and degraded mode', () => {
  let world: NotifierWorld;
  let slack: SlackPeer;
  let pagerduty: PagerDutyPeer;

  beforeAll(async () => {
    world = await createNotifierWorld('notifier_suppression');
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

  it('a silence suppresses the non-critical drifts it matches, records itself as the cause, and nothing else', async () => {
    const [silenced, otherType, critical] = await Promise.all([
      world.addEnvironment('silenced'),
      world.addEnvironment('other-type'),
      world.addEnvironment('critical-bucket'),
    ]);
    await world.publish('cmd.silence.create.v1', {
      matchers: [{ name: 'resourceType', value: 'aws_s3_bucket', isRegex: false, isEqual: true }],
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
      createdBy: 'alice',
      comment: 'bucket migration',
    });
    const silence = await waitUntil(() => world.db.selectFrom('silences').selectAll().executeTakeFirst());
    expect(silence.created_by).toBe('alice');
    const a = recommendation({ priority: 'high', resourceType: 'aws_s3_bucket' });
    const b = recommendation({ priority: 'high', resourceType: 'aws_security_group' });
    const c = recommendation({ priority: 'critical', resourceType: 'aws_s3_bucket' });
    await world.publish('recommendation.created.v1', a, { envId: silenced });
    await world.publish('recommendation.created.v1', b, { envId: otherType });
    await world.publish('recommendation.created.v1', c, { envId: critical });
    const suppressed = await waitUntil(async () => {
      const rows = await rowsOf(world, a.driftEventId);
      return rows.length === 2 && rows.every((r) => r.status === 'suppressed') ? rows : undefined;
    });
    expect(suppressed.map((r) => r.suppressed_by_silence_id)).toEqual([silence.id, silence.id]);
    for (const drift of [b, c]) {
      const rows = await waitUntil(async () => {
        const r = await rowsOf(world, drift.driftEventId);
        return r.length === 2 && r.every((x) => x.status === 'delivered') ? r : undefined;
      });
      expect(rows.every((r) => r.suppressed_by_silence_id === null)).toBe(true);
    }
    await sleep(500);
    const texts = [...slack.messages.values()].map((m) => m.text).join('\n');
    expect(texts).not.toContain(a.drift?.resource.address ?? '?');
    expect(texts).toContain(b.drift?.resource.address ?? '?');
    expect(texts).toContain(c.drift?.resource.address ?? '?');
  }, 30_000);

  it('a maintenance window of one environment suppresses its non-critical drifts while it lasts, not other environments’', async () => {
    const [inside, outside] = await Promise.all([world.addEnvironment('maintained'), world.addEnvironment('unmaintained')]);
    const window = await world.db
      .insertInto('maintenance_windows')
      .values({
        organization_id: world.orgId,
        environment_id: inside,
        name: 'always',
        weekdays: JSON.stringify([0, 1, 2, 3, 4, 5, 6]),
        start_time: '00:00',
        end_time: '24:00',
        time_zone: 'Europe/Berlin',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const a = recommendation({ priority: 'medium' });
    const b = recommendation({ priority: 'medium' });
    await world.publish('recommendation.created.v1', a, { envId: inside });
    await world.publish('recommendation.created.v1', b, { envId: outside });
    const suppressed = await waitUntil(async () => {
      const rows = await rowsOf(world, a.driftEventId);
      return rows.length === 2 && rows.every((r) => r.status === 'suppressed') ? rows : undefined;
    });
    expect(suppressed.every((r) => r.suppressed_by_window_id === window.id)).toBe(true);
    await waitUntil(async () => {
      const rows = await rowsOf(world, b.driftEventId);
      return rows.length === 2 && rows.every((r) => r.status === 'delivered') ? rows : undefined;
    });
  }, 30_000);

  it('a maintenance window created by command (as the api sends it) suppresses its environment', async () => {
    const envId = await world.addEnvironment('maintained-by-command');
    await world.publish(
      'cmd.maintenance_window.create.v1',
      {
        name: 'all week',
        kind: 'maintenance',
        weekdays: [0, 1, 2, 3, 4, 5, 6],
        startTime: '00:00',
        endTime: '24:00',
        timeZone: 'UTC',
        createdBy: 'user:ops@acme.example',
      },
      { envId },
    );
    const window = await waitUntil(() =>
      world.db
        .selectFrom('maintenance_windows')
        .select(['id', 'weekdays'])
        .where('environment_id', '=', envId)
        .executeTakeFirst(),
    );
    expect(window.weekdays).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const a = recommendation({ priority: 'low' });
    await world.publish('recommendation.created.v1', a, { envId });
    const suppressed = await waitUntil(async () => {
      const rows = await rowsOf(world, a.driftEventId);
      return rows.length === 2 && rows.every((r) => r.status === 'suppressed') ? rows : undefined;
    });
    expect(suppressed.every((r) => r.suppressed_by_window_id === window.id)).toBe(true);
  }, 30_000);

  it('pages a security-critical drift with analysis pending when analysis is silent, then updates the same incident and message', async () => {
    const envId = await world.addEnvironment('degraded');
    const data = recommendation({ priority: 'critical', securityCritical: true, resourceType: 'aws_iam_role' });
    const drift = data.drift;
    if (!drift) throw new Error('fixture without drift');
    const incidentsBefore = pagerduty.alerts.size;
    await world.publish(
      'drift.detected.v1',
      {
        driftEventId: data.driftEventId,
        driftType: 'modified',
        fingerprint: 'f'.repeat(64),
        resource: drift.resource,
        iacResourceId: null,
        changes: drift.changes ?? [],
        isSecurityCritical: true,
        detectedAt: new Date().toISOString(),
      },
      { envId },
    );
    const paged = await waitUntil(async () => {
      const rows = await rowsOf(world, data.driftEventId);
      return rows.length === 2 && rows.every((r) => r.status === 'delivered') ? rows : undefined;
    });
    expect(paged.every((r) => r.action === 'trigger' && (r.subject ?? '').includes('analysis pending'))).toBe(true);
    const incident = [...pagerduty.alerts.values()].at(-1);
    expect(pagerduty.alerts.size - incidentsBefore).toBe(1);
    expect(incident?.events[0]?.payload?.summary).toContain('analysis pending');
    // Analysis and the recommender catch up.
    await world.publish('recommendation.created.v1', data, { envId });
    const updated = await waitUntil(async () => {
      const rows = await rowsOf(world, data.driftEventId);
      const upd = rows.filter((r) => r.action === 'update' && r.status === 'delivered');
      return upd.length === 2 ? upd : undefined;
    });
    expect(updated.every((r) => !(r.subject ?? '').includes('analysis pending'))).toBe(true);
    expect(pagerduty.alerts.size - incidentsBefore).toBe(1);
    const after = [...pagerduty.alerts.values()].find((a) => a.dedupKey === incident?.dedupKey);
    expect(after?.events).toHaveLength(2);
    expect(after?.status).toBe('triggered');
    const message = [...slack.messages.values()].find((m) => m.text.includes(drift.resource.address ?? '?'));
    expect(message?.edits).toBe(1);
    expect(message?.text).not.toContain('analysis pending');
  }, 30_000);
});
