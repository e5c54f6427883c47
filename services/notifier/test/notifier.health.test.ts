import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifierWorld, recommendation, waitUntil, type NotifierWorld } from './notifier.harness.js';
import { startSlackPeer, startWebhookPeer, type SlackPeer, type WebhookPeer } from './peers/index.js';

describe('a channel failing for long', () => {
  let world: NotifierWorld;
  let slack: SlackPeer;
  let webhook: WebhookPeer;
  let hookChannel: number;

  beforeAll(async () => {
    world = await createNotifierWorld('notifier_health', { DG_NOTIFIER_UNHEALTHY_AFTER_MS: '1000' });
    slack = await startSlackPeer();
    webhook = await startWebhookPeer();
    hookChannel = await world.addChannel('webhook', 'automation', { url: webhook.endpoint, secrets: webhook.secrets });
    await world.addChannel('slack', 'ops', { webhookUrl: slack.webhookUrl }, { isDefault: true });
    await world.db
      .insertInto('routing_rules')
      .values({
        organization_id: world.orgId,
        name: 'hook',
        channel_id: hookChannel,
        match: JSON.stringify({ resourceTypes: ['hook_*'] }),
      })
      .execute();
    await world.startService();
  }, 60_000);

  afterAll(async () => {
    await world?.stop();
    await slack?.close();
    await webhook?.close();
  });

  it('is marked unhealthy and the organization is told once on its default channel', async () => {
    webhook.script(...Array.from({ length: 5 }, () => webhook.answers.serverError()));
    const data = recommendation({ priority: 'critical', resourceType: 'hook_down' });
    await world.publish('recommendation.created.v1', data);
    const health = await waitUntil(
      () =>
        world.db
          .selectFrom('channel_health')
          .selectAll()
          .where('channel_id', '=', hookChannel)
          .where('healthy', '=', false)
          .executeTakeFirst(),
      30_000,
    );
    expect(health.consecutive_failures).toBeGreaterThanOrEqual(2);
    expect(health.last_error).toContain('unavailable');
    const told = await waitUntil(async () => {
      const rows = await world.db
        .selectFrom('notifications')
        .selectAll()
        .where('alert_key', '=', `channel-health:${hookChannel}`)
        .execute();
      return rows.length > 0 && rows.every((r) => r.status === 'delivered') ? rows : undefined;
    });
    expect(told).toHaveLength(1);
    expect(told[0]?.channel_id).not.toBe(hookChannel);
    expect(told[0]?.subject).toContain('Channel automation (webhook) unhealthy');
    // The channel recovers: the drift's notification is delivered, and the channel is healthy again.
    await waitUntil(async () => {
      const h = await world.db.selectFrom('channel_health').selectAll().where('channel_id', '=', hookChannel).executeTakeFirst();
      return h?.healthy === true && h.consecutive_failures === 0 ? h : undefined;
    }, 30_000);
    expect(webhook.deliveries).toHaveLength(1);
  }, 60_000);
});
