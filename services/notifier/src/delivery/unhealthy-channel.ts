import type { Database } from '@driftguard/db';
import type { Kysely } from 'kysely';
import type { AlertPayload } from '../alert/alert-payload.js';
import type { ChannelRow } from '../routing/routing-rules.queries.js';
import { channelsOf } from '../routing/routing-rules.queries.js';
import { defaultChannels } from '../routing/route.js';
import { insertNotification } from './notifications.queries.js';

/**
 * Tells the organization, on its other channels (the default ones first), that `channel` has
 * failed since `failingSince`. One notification per failure streak and channel.
 */
export async function reportUnhealthyChannel(
  db: Kysely<Database>,
  r: { orgId: number; channel: ChannelRow; failingSince: Date; lastError: string },
): Promise<void> {
  const channels = await channelsOf(db, r.orgId);
  const others = channels.filter((c) => c.isActive && c.id !== r.channel.id);
  const defaults = defaultChannels(others);
  const targets = defaults.length > 0 ? defaults : others;
  const payload: AlertPayload = {
    environment: { id: 0, name: 'organization', production: true },
    groupId: null,
    priority: 'high',
    title: `Channel ${r.channel.name} (${r.channel.type}) unhealthy: failing since ${r.failingSince.toISOString()} (${r.lastError.slice(0, 200)})`,
    total: 0,
    items: [],
  };
  await db.transaction().execute(async (tx) => {
    for (const target of targets) {
      await insertNotification(tx, {
        orgId: r.orgId,
        channelId: target.id,
        groupId: null,
        alertKey: `channel-health:${r.channel.id}`,
        action: 'trigger',
        dedupeKey: `unhealthy:${r.channel.id}:${r.failingSince.getTime()}`,
        payload,
        coveredDriftIds: [],
      });
    }
  });
}
