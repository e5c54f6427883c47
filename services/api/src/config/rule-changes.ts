import { RoutingMatch, type UpdateIgnoreRuleBody, type UpdateRoutingRuleBody } from '@driftguard/contracts';
import type { Database, IgnoreRule } from '@driftguard/db';
import { ConflictError, InvalidInputError, NotFoundError } from '@driftguard/runtime';
import type { Transaction } from 'kysely';
import type { z } from 'zod';
import { parseInput } from '../bootstrap/input.js';
import { routingRuleViews, type RoutingRuleView } from './routing-rules.queries.js';

/** A routing rule as the api shows and audits it. */
export type RoutingRuleState = RoutingRuleView;

async function environmentIdOf(tx: Transaction<Database>, orgId: number, slug: string): Promise<number> {
  const env = await tx
    .selectFrom('environments')
    .select('id')
    .where('organization_id', '=', orgId)
    .where('slug', '=', slug)
    .executeTakeFirst();
  if (!env) throw new NotFoundError(`no environment ${slug} in your organization`, { code: 'environment_not_found' });
  return env.id;
}

async function routingRuleState(tx: Transaction<Database>, orgId: number, id: number): Promise<RoutingRuleState> {
  const [rule] = await routingRuleViews(tx, orgId, id);
  if (!rule) throw new NotFoundError(`no routing rule ${id} in your organization`, { code: 'routing_rule_not_found' });
  return rule;
}

/**
 * Changes a routing rule of the organization, validated like a new one (the notifier's
 * RoutingMatch; the channel an active one of the organization, the environment one of its own).
 * A rule whose channel was removed cannot be switched back on without another channel (409).
 * Undefined when the rule is not the organization's.
 */
export async function updateRoutingRule(
  tx: Transaction<Database>,
  orgId: number,
  id: number,
  body: z.infer<typeof UpdateRoutingRuleBody>,
): Promise<{ before: RoutingRuleState; after: RoutingRuleState } | undefined> {
  const row = await tx
    .selectFrom('routing_rules')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return undefined;
  const before = await routingRuleState(tx, orgId, id);
  let channelId = row.channel_id;
  if (body.channel !== undefined) {
    const channel = await tx
      .selectFrom('notification_channels')
      .select('id')
      .where('organization_id', '=', orgId)
      .where('name', '=', body.channel)
      .where('is_active', '=', true)
      .executeTakeFirst();
    if (!channel)
      throw new NotFoundError(`no active channel "${body.channel}" in your organization`, { code: 'channel_not_found' });
    channelId = channel.id;
  }
  const isActive = body.isActive ?? row.is_active;
  if (isActive) {
    const channel = await tx
      .selectFrom('notification_channels')
      .select('is_active')
      .where('id', '=', channelId)
      .executeTakeFirst();
    if (channel?.is_active === false)
      throw new ConflictError(
        `the rule's channel "${before.channel}" was removed; give the rule another channel to switch it on`,
      );
  }
  const match = body.match === undefined ? undefined : parseInput(RoutingMatch, body.match, 'routing rule match');
  const environmentId =
    body.environment === undefined
      ? undefined
      : body.environment === null
        ? null
        : await environmentIdOf(tx, orgId, body.environment);
  await tx
    .updateTable('routing_rules')
    .set({
      channel_id: channelId,
      is_active: isActive,
      ...(body.name === undefined ? {} : { name: body.name }),
      ...(body.minPriority === undefined ? {} : { min_priority: body.minPriority }),
      ...(match === undefined ? {} : { match: JSON.stringify(match) }),
      ...(body.continue === undefined ? {} : { continue: body.continue }),
      ...(body.position === undefined ? {} : { position: body.position }),
      ...(environmentId === undefined ? {} : { environment_id: environmentId }),
    })
    .where('id', '=', id)
    .execute();
  return { before, after: await routingRuleState(tx, orgId, id) };
}

/**
 * Changes an ignore rule of the organization; its suppression count stays. A rule keeps at least
 * one of resourceType, addressPattern and propertyPath (400 otherwise). Undefined when the rule
 * is not the organization's.
 */
export async function updateIgnoreRule(
  tx: Transaction<Database>,
  orgId: number,
  id: number,
  body: z.infer<typeof UpdateIgnoreRuleBody>,
): Promise<{ before: IgnoreRule; after: IgnoreRule } | undefined> {
  const before = await tx
    .selectFrom('ignore_rules')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!before) return undefined;
  const pick = <T>(given: T | undefined, current: T) => (given === undefined ? current : given);
  const next = {
    resource_type: pick(body.resourceType, before.resource_type),
    address_pattern: pick(body.addressPattern, before.address_pattern),
    property_path: pick(body.propertyPath, before.property_path),
  };
  if (next.resource_type === null && next.address_pattern === null && next.property_path === null)
    throw new InvalidInputError('a rule needs a resourceType, addressPattern or propertyPath', [
      { path: 'body', message: 'would match nothing in particular' },
    ]);
  const environmentId =
    body.environment === undefined
      ? undefined
      : body.environment === null
        ? null
        : await environmentIdOf(tx, orgId, body.environment);
  const after = await tx
    .updateTable('ignore_rules')
    .set({
      ...next,
      ...(environmentId === undefined ? {} : { environment_id: environmentId }),
      ...(body.syntax === undefined ? {} : { syntax: body.syntax }),
      ...(body.reason === undefined ? {} : { reason: body.reason }),
      ...(body.expiresAt === undefined ? {} : { expires_at: body.expiresAt === null ? null : new Date(body.expiresAt) }),
      ...(body.isActive === undefined ? {} : { is_active: body.isActive }),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { before, after };
}
