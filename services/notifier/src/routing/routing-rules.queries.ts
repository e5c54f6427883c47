import { ChannelType, type Priority, RoutingMatch } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import type { Kysely } from 'kysely';

/** A channel as the notifier uses it (read-only: channels belong to the api). */
export interface ChannelRow {
  id: number;
  name: string;
  type: ChannelType;
  configuration: unknown;
  isActive: boolean;
  isDefault: boolean;
}

export interface RuleRow {
  id: number;
  environmentId: number | null;
  minPriority: Priority;
  match: RoutingMatch;
  channelId: number;
  continue: boolean;
}

/** Every channel of the organization, active or not (a rule to an inactive channel sends nothing). */
export async function channelsOf(db: Kysely<Database>, orgId: number): Promise<ChannelRow[]> {
  const rows = await db
    .selectFrom('notification_channels')
    .select(['id', 'name', 'channel_type', 'configuration', 'is_active', 'is_default'])
    .where('organization_id', '=', orgId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    type: ChannelType.parse(r.channel_type),
    configuration: r.configuration,
    isActive: r.is_active !== false,
    isDefault: r.is_default,
  }));
}

/** Active routing rules in the order they are tried. A rule whose stored match no longer parses is skipped. */
export async function rulesOf(db: Kysely<Database>, orgId: number): Promise<RuleRow[]> {
  const rows = await db
    .selectFrom('routing_rules')
    .select(['id', 'environment_id', 'min_priority', 'match', 'channel_id', 'continue'])
    .where('organization_id', '=', orgId)
    .where('is_active', '=', true)
    .orderBy('position')
    .orderBy('id')
    .execute();
  return rows.flatMap((r) => {
    const match = RoutingMatch.safeParse(r.match);
    if (!match.success) return [];
    return [
      {
        id: r.id,
        environmentId: r.environment_id,
        minPriority: r.min_priority,
        match: match.data,
        channelId: r.channel_id,
        continue: r.continue,
      },
    ];
  });
}
