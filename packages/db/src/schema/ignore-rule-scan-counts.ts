import type { Insertable, Selectable } from 'kysely';
import { notNull, notNullDefault, type TableOf } from './columns.js';

/**
 * `ignore_rule_scan_counts` (migration 0024): a scan whose ignore-rule suppression counts were
 * added to `ignore_rules.suppressed_count`, and how many it added in all. Owned by api.
 * `suppressed` is bigint, hence a string.
 */
export const ignoreRuleScanCountsColumns = {
  scan_id: notNull('uuid'),
  organization_id: notNull('int4'),
  suppressed: notNull('int8'),
  counted_at: notNullDefault('timestamptz'),
} as const;

export type IgnoreRuleScanCountsTable = TableOf<typeof ignoreRuleScanCountsColumns>;
export type IgnoreRuleScanCount = Selectable<IgnoreRuleScanCountsTable>;
export type NewIgnoreRuleScanCount = Insertable<IgnoreRuleScanCountsTable>;
