import { Priority, RoutingMatch } from '@driftguard/contracts';
import { type Database } from '@driftguard/db';
import { NotFoundError } from '@driftguard/runtime';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { parseInput } from './input.js';
import { inTransaction, writeOwnAudit, type AuditWriter } from './transaction.js';
import { organizationBySlug } from './organizations.js';
import { Slug } from './slug.js';
import { routingRuleViews, type RoutingRuleView } from '../config/routing-rules.queries.js';

const CreateRouteInput = z.object({
  orgSlug: Slug,
  channel: z.string().min(1).max(255),
  name: z.string().min(1).max(255).optional(),
  /** only drifts of this environment; every environment when absent */
  envSlug: Slug.optional(),
  minPriority: Priority.default('low'),
  match: RoutingMatch.default({}),
  /** keep walking the rules after this one matched (Alertmanager's `continue`) */
  continue: z.boolean().default(false),
  /** where in the order; after the last rule when absent */
  position: z.number().int().nonnegative().optional(),
});
export type CreateRouteInput = z.input<typeof CreateRouteInput>;

export type RouteRef = RoutingRuleView;

/**
 * Adds a routing rule of an organization with its audit row. Rules are tried in `position`
 * order; the first match stops the walk unless it says `continue`; what no rule takes goes to
 * the organization's default channels (those flagged default, or every active channel when none
 * is).
 */
export async function createRoute(
  db: Kysely<Database>,
  input: CreateRouteInput,
  audit: AuditWriter = writeOwnAudit,
): Promise<RouteRef> {
  const r = parseInput(CreateRouteInput, input, 'route');
  return inTransaction(db, async (tx) => {
    const org = await organizationBySlug(tx, r.orgSlug);
    const channel = await tx
      .selectFrom('notification_channels')
      .select('id')
      .where('organization_id', '=', org.id)
      .where('name', '=', r.channel)
      .where('is_active', '=', true)
      .executeTakeFirst();
    if (!channel) throw new NotFoundError(`channel "${r.channel}" not found in ${r.orgSlug}`);
    let envId: number | null = null;
    if (r.envSlug) {
      const env = await tx
        .selectFrom('environments')
        .select('id')
        .where('organization_id', '=', org.id)
        .where('slug', '=', r.envSlug)
        .executeTakeFirst();
      if (!env) throw new NotFoundError(`environment "${r.orgSlug}/${r.envSlug}" not found`);
      envId = env.id;
    }
    const last = await tx
      .selectFrom('routing_rules')
      .select(sql<number>`coalesce(max(position), 0)`.as('p'))
      .where('organization_id', '=', org.id)
      .executeTakeFirstOrThrow();
    const position = r.position ?? Number(last.p) + 10;
    const name = r.name ?? `to ${r.channel}`;
    const row = await tx
      .insertInto('routing_rules')
      .values({
        organization_id: org.id,
        environment_id: envId,
        name,
        min_priority: r.minPriority,
        match: JSON.stringify(r.match),
        channel_id: channel.id,
        continue: r.continue,
        position,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(tx, {
      organizationId: org.id,
      action: 'routing_rule.created',
      resourceType: 'routing_rule',
      resourceId: row.id,
      newValues: {
        name,
        channel: r.channel,
        envSlug: r.envSlug ?? null,
        minPriority: r.minPriority,
        match: r.match,
        continue: r.continue,
        position,
      },
    });
    return {
      id: row.id,
      name,
      position,
      channel: r.channel,
      envSlug: r.envSlug ?? null,
      minPriority: r.minPriority,
      match: r.match,
      continue: r.continue,
      isActive: true,
    };
  });
}

/** The routing rules of an organization in the order they are tried. */
export async function listRoutes(db: Kysely<Database>, orgSlug: string): Promise<RouteRef[]> {
  return db.transaction().execute(async (tx) => {
    const org = await organizationBySlug(tx, parseInput(Slug, orgSlug, 'organization'));
    return routingRuleViews(tx, org.id);
  });
}
