import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, type TableOf } from './columns.js';

/** `routing_rules`: Which notifications go to which channel. Owned by api. */
export const routingRulesColumns = {
  id: notNullDefault('int4'),
  organization_id: notNull('int4'),
  environment_id: nullable('int4'),
  name: notNull('varchar(255)'),
  min_priority: notNullDefault('varchar(10)', ['low', 'medium', 'high', 'critical']),
  match: notNullDefault('jsonb'),
  channel_id: notNull('int4'),
  is_active: notNullDefault('bool'),
  created_at: notNullDefault('timestamptz'),
  /** migration 0013: rules are tried in ascending position; a match stops the walk unless `continue` */
  position: notNullDefault('int4'),
  continue: notNullDefault('bool'),
} as const;

export type RoutingRulesTable = TableOf<typeof routingRulesColumns>;
export type RoutingRule = Selectable<RoutingRulesTable>;
export type NewRoutingRule = Insertable<RoutingRulesTable>;
export type RoutingRuleUpdate = Updateable<RoutingRulesTable>;
