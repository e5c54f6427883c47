import { Priority, RoutingMatch } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import type { Kysely, Transaction } from 'kysely';

/** A routing rule as the api shows and audits it: its channel by name, its environment by slug. */
export interface RoutingRuleView {
  id: number;
  name: string;
  position: number;
  channel: string;
  envSlug: string | null;
  minPriority: Priority;
  match: RoutingMatch;
  continue: boolean;
  isActive: boolean;
}

/** The routing rules of organization `orgId` (or only rule `id` of it), in the order they are tried. */
export async function routingRuleViews(
  db: Kysely<Database> | Transaction<Database>,
  orgId: number,
  id?: number,
): Promise<RoutingRuleView[]> {
  let query = db
    .selectFrom('routing_rules as r')
    .innerJoin('notification_channels as c', 'c.id', 'r.channel_id')
    .leftJoin('environments as e', 'e.id', 'r.environment_id')
    .select([
      'r.id',
      'r.name',
      'r.position',
      'c.name as channel',
      'e.slug as envSlug',
      'r.min_priority',
      'r.match',
      'r.continue',
      'r.is_active',
    ])
    .where('r.organization_id', '=', orgId);
  if (id !== undefined) query = query.where('r.id', '=', id);
  const rows = await query.orderBy('r.position').orderBy('r.id').execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    position: r.position,
    channel: r.channel,
    envSlug: r.envSlug,
    minPriority: Priority.parse(r.min_priority),
    match: RoutingMatch.catch({}).parse(r.match),
    continue: r.continue,
    isActive: r.is_active,
  }));
}
