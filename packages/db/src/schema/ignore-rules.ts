import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, type TableOf } from './columns.js';

/**
 * `ignore_rules`: A rule suppressing drift on matching resources / properties. Owned by api.
 * `suppressed_count` is bigint, hence a string.
 */
export const ignoreRulesColumns = {
  id: notNullDefault('int4'),
  organization_id: notNull('int4'),
  environment_id: nullable('int4'),
  resource_type: nullable('varchar(100)'),
  address_pattern: nullable('varchar(500)'),
  property_path: nullable('varchar(500)'),
  syntax: notNullDefault('varchar(20)', ['driftignore', 'json_pointer']),
  reason: nullable('text'),
  suppressed_count: notNullDefault('int8'),
  created_by: nullable('int4'),
  created_at: notNullDefault('timestamptz'),
  expires_at: nullable('timestamptz'),
  is_active: notNullDefault('bool'),
} as const;

export type IgnoreRulesTable = TableOf<typeof ignoreRulesColumns>;
export type IgnoreRule = Selectable<IgnoreRulesTable>;
export type NewIgnoreRule = Insertable<IgnoreRulesTable>;
export type IgnoreRuleUpdate = Updateable<IgnoreRulesTable>;
