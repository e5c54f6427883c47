import { randomUUID } from 'node:crypto';
import { ChannelType } from '@driftguard/contracts';
import { openChannelConfiguration, type Database, type Keyring } from '@driftguard/db';
import type { OutboundAllowList } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { createChannelNetwork, sendThroughChannel, type Alert, type SendResult } from './channels/index.js';

/**
 * Sends a test message through a channel's adapter, as a delivery would (same configuration,
 * same outbound guard), and returns the provider's answer. Nothing is recorded.
 */
export async function sendChannelTest(
  db: Kysely<Database>,
  input: { channelId: number; keyring: Keyring | undefined; allow: OutboundAllowList; timeoutMs?: number },
): Promise<SendResult> {
  const row = await db
    .selectFrom('notification_channels')
    .select(['id', 'organization_id', 'name', 'channel_type', 'configuration'])
    .where('id', '=', input.channelId)
    .executeTakeFirstOrThrow();
  const orgId = row.organization_id ?? 0;
  const config = openChannelConfiguration(row.configuration, input.keyring, { organizationId: orgId, channelName: row.name });
  const alert: Alert = {
    key: `test:${row.id}`,
    action: 'test',
    notificationId: 0,
    idempotencyKey: randomUUID(),
    organizationId: orgId,
    environment: { id: 0, name: 'test', production: false },
    priority: 'low',
    title: `DriftGuard test message for channel ${row.name}`,
    items: [],
    total: 0,
    consoleUrl: 'https://driftguard.invalid/',
    occurredAt: new Date(),
  };
  const network = createChannelNetwork({ allow: input.allow, ...(input.timeoutMs ? { timeoutMs: input.timeoutMs } : {}) });
  try {
    return await sendThroughChannel(ChannelType.parse(row.channel_type), config, alert, {
      fetch: network.fetch,
      outbound: network.guard,
      signal: AbortSignal.timeout(input.timeoutMs ?? 15_000),
    });
  } finally {
    await network.close();
  }
}
