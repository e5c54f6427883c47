import { listDeadLetters, replayDeadLetter } from '@driftguard/bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifierWorld, recommendation, sleep, waitUntil, type NotifierWorld } from './notifier.harness.js';
import { startSlackPeer, startWebhookPeer, type SlackPeer, type WebhookPeer } from './peers/index.js';

/** The notifications of one drift, with their attempts. */
async function rowsOf(world: NotifierWorld, driftEventId: number) {
  const rows = await world.db.selectFrom('notifications').selectAll().orderBy('id').execute();
  return rows.filter((r) => JSON.stringify(r.covered_drift_ids) === JSON.stringify([driftEventId]));
}

async function attemptsOf(world: NotifierWorld, notificationId: number) {
  return world.db
    .selectFrom('notification_deliveries')
    .selectAll()
    .where('notification_id', '=', notificationId)
    .orderBy('attempt')
    .execute();
}

describe('notifier delivery (real Slack peer and Standard Webhooks receiver)', () => {
  let world: NotifierWorld;
  let slack: SlackPeer;
  let webhook: WebhookPeer;
  let slackChannel: number;
  let webhookChannel: number;
  let port: number;

  beforeAll(async () => {
    world = await createNotifierWorld('notifier_delivery');
    slack = await startSlackPeer();
    webhook = await startWebhookPeer();
    slackChannel = await world.addChannel('slack', 'drifts', { webhookUrl: slack.webhookUrl });
    webhookChannel = await world.addChannel('webhook', 'automation', { url: webhook.endpoint, secrets: webhook.secrets });
    // Each test routes its drifts to one channel by resource type.
    await world.db
      .insertInto('routing_rules')
      .values([
        {
          organization_id: world.orgId,
          name: 'slack',
          channel_id: slackChannel,
          match: JSON.stringify({ resourceTypes: ['slack_*'] }),
          position: 1,
        },
        {
          organization_id: world.orgId,
          name: 'hook',
          channel_id: webhookChannel,
          match: JSON.stringify({ resourceTypes: ['hook_*'] }),
          position: 2,
        },
      ])
      .execute();
    ({ port } = await world.startService());
  }, 60_000);

  afterAll(async () => {
    await world?.stop();
    await slack?.close();
    await webhook?.close();
  });

  it('waits out Slack’s 429 Retry-After: 2 and then delivers once', async () => {
    slack.script(slack.answers.rateLimited(2));
    const data = recommendation({ priority: 'critical', resourceType: 'slack_rate' });
    const envId = await world.addEnvironment('slack-rate');
    const before = slack.received.length;
    await world.publish('recommendation.created.v1', data, { envId });
    const [row] = await waitUntil(async () => {
      const rows = await rowsOf(world, data.driftEventId);
      return rows[0]?.status === 'delivered' ? rows : undefined;
    });
    const attempts = await attemptsOf(world, row?.id ?? 0);
    expect(attempts.map((a) => a.response_code)).toEqual([429, 200]);
    const [first, second] = attempts;
    expect((second?.attempted_at.getTime() ?? 0) - (first?.attempted_at.getTime() ?? 0)).toBeGreaterThanOrEqual(2000);
    const requests = slack.received.slice(before);
    expect(requests.map((r) => r.answer.status)).toEqual([429, 200]);
    expect(row?.channel_id).toBe(slackChannel);
  }, 30_000);

  it('fails a notification Slack refuses with 400 at once, without retrying, and records the provider’s error', async () => {
    slack.script(slack.answers.invalidPayload());
    const data = recommendation({ priority: 'critical', resourceType: 'slack_bad' });
    const envId = await world.addEnvironment('slack-bad');
    const before = slack.received.length;
    await world.publish('recommendation.created.v1', data, { envId });
    const [row] = await waitUntil(async () => {
      const rows = await rowsOf(world, data.driftEventId);
      return rows[0]?.status === 'failed' ? rows : undefined;
    });
    await sleep(1500); // the retry schedule's first step is 300 ms: a retry would show
    const attempts = await attemptsOf(world, row?.id ?? 0);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.response_code).toBe(400);
    expect(attempts[0]?.error).toContain('invalid_payload');
    expect(row?.last_error).toContain('invalid_payload');
    expect(slack.received.length - before).toBe(1);
  }, 30_000);

  it('delivers once to a receiver that was down and came back, retrying with backoff in between', async () => {
    const port = Number(new URL(webhook.endpoint).port);
    const secrets = webhook.secrets;
    await webhook.close(); // connection refused from now on
    const data = recommendation({ priority: 'critical', resourceType: 'hook_outage' });
    const envId = await world.addEnvironment('hook-outage');
    await world.publish('recommendation.created.v1', data, { envId });
    // Three failed attempts recorded; the next one is due no sooner than 960 ms later.
    await waitUntil(async () => {
      const [row] = await rowsOf(world, data.driftEventId);
      return row && (await attemptsOf(world, row.id)).length >= 3 ? row : undefined;
    });
    webhook = await startWebhookPeer({ port, secrets });
    const [row] = await waitUntil(async () => {
      const rows = await rowsOf(world, data.driftEventId);
      return rows[0]?.status === 'delivered' ? rows : undefined;
    }, 30_000);
    await sleep(1000);
    const attempts = await attemptsOf(world, row?.id ?? 0);
    expect(attempts.length).toBeGreaterThanOrEqual(4);
    expect(attempts.slice(0, -1).every((a) => a.status === 'retrying' && a.response_code === null)).toBe(true);
    expect(attempts.at(-1)?.status).toBe('sent');
    // Backoff: each wait is at least 80 % of the schedule's step (300, 600, 1200 ms).
    const gaps = attempts.slice(1).map((a, i) => a.attempted_at.getTime() - (attempts[i]?.attempted_at.getTime() ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(240);
    expect(gaps[1]).toBeGreaterThanOrEqual(480);
    expect(webhook.deliveries.filter((d) => d.id === row?.idempotency_key)).toHaveLength(1);
    expect(webhook.deliveries).toHaveLength(1);
  }, 60_000);

  it('dead-letters a notification after its last retry, and `dg dlq replay` delivers it with the same webhook-id', async () => {
    const envId = await world.addEnvironment('hook-dead');
    webhook.script(...Array.from({ length: 6 }, () => webhook.answers.serverError()));
    const data = recommendation({ priority: 'critical', resourceType: 'hook_dead' });
    await world.publish('recommendation.created.v1', data, { envId });
    const [row] = await waitUntil(async () => {
      const rows = await rowsOf(world, data.driftEventId);
      return rows[0]?.status === 'dead' ? rows : undefined;
    }, 40_000);
    const attempts = await attemptsOf(world, row?.id ?? 0);
    expect(attempts.map((a) => a.response_code)).toEqual([503, 503, 503, 503, 503, 503]);
    const letters = await listDeadLetters(world.db, { service: 'notifier', limit: 10, includeReplayed: false });
    const letter = letters.find((l) => l.error.startsWith(`notification ${row?.id}:`));
    expect(letter?.errorCode).toBe('retries_exhausted');
    // The receiver still fails once after the replay: the retry schedule starts over, so it is retried.
    webhook.script(webhook.answers.serverError());
    await replayDeadLetter(world.db, world.bus, letter?.id ?? 0);
    await waitUntil(async () => {
      const rows = await rowsOf(world, data.driftEventId);
      return rows[0]?.status === 'delivered' ? rows : undefined;
    });
    const ids = webhook.deliveries.filter((d) => d.id === row?.idempotency_key);
    expect(ids).toHaveLength(1);
    const after = await attemptsOf(world, row?.id ?? 0);
    expect(after.map((a) => a.response_code)).toEqual([503, 503, 503, 503, 503, 503, 503, 204]);
  }, 60_000);

  it('records read_at once when the console link of a message is opened, and refuses a forged link', async () => {
    const envId = await world.addEnvironment('hook-read');
    const data = recommendation({ priority: 'critical', resourceType: 'hook_read' });
    await world.publish('recommendation.created.v1', data, { envId });
    const [row] = await waitUntil(async () => {
      const rows = await rowsOf(world, data.driftEventId);
      return rows[0]?.status === 'delivered' ? rows : undefined;
    });
    const delivery = webhook.deliveries.find((d) => d.id === row?.idempotency_key);
    const link = new URL(String(delivery?.body.data['consoleUrl']));
    expect(link.pathname).toMatch(/^\/r\//);
    expect(row?.read_at).toBeNull();
    const open = () => fetch(`http://127.0.0.1:${port}${link.pathname}`, { redirect: 'manual' });
    const first = await open();
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe(`http://127.0.0.1:8080/drifts/${data.driftEventId}`);
    const readAt = (await rowsOf(world, data.driftEventId))[0]?.read_at;
    expect(readAt).toBeInstanceOf(Date);
    await sleep(20);
    expect((await open()).status).toBe(302);
    expect((await rowsOf(world, data.driftEventId))[0]?.read_at).toEqual(readAt);
    const [payload] = link.pathname.slice(3).split('.');
    const forged = await fetch(`http://127.0.0.1:${port}/r/${payload}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`, { redirect: 'manual' });
    expect(forged.status).toBe(404);
  }, 30_000);

  it('sends to one Slack webhook at most once a second, delivering every message', async () => {
    const drifts = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const envId = await world.addEnvironment(`slack-pace-${i}`);
        const data = recommendation({ priority: 'critical', resourceType: 'slack_pace' });
        await world.publish('recommendation.created.v1', data, { envId });
        return data.driftEventId;
      }),
    );
    const rows = await waitUntil(async () => {
      const all = (await Promise.all(drifts.map((d) => rowsOf(world, d)))).flat();
      return all.length === 3 && all.every((r) => r.status === 'delivered') ? all : undefined;
    });
    const times = (await Promise.all(rows.map((r) => attemptsOf(world, r.id))))
      .flat()
      .map((a) => a.attempted_at.getTime())
      .sort((a, b) => a - b);
    expect(times).toHaveLength(3);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(950);
    expect((times[2] ?? 0) - (times[1] ?? 0)).toBeGreaterThanOrEqual(950);
  }, 30_000);
});
