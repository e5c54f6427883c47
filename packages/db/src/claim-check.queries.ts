import type { Kysely } from 'kysely';
import type { Database, JsonValue } from './schema/index.js';

/** Where a value cut from drift.detected is kept (contracts' `ClaimCheckRef`). */
export interface DriftChangeRef {
  driftEventId: number;
  /** the path as stored (`TruncatedValue.ref.propertyPath`) */
  propertyPath: string;
  side: 'declared' | 'actual';
}

/** A changed property as ingest stored it: whole values, sensitive ones already masked. */
export interface StoredDriftChange {
  path: string;
  declared: JsonValue | null;
  actual: JsonValue | null;
  changeType: 'modified' | 'added' | 'removed';
  sensitive: boolean;
  securityRuleIds: JsonValue;
}

/**
 * The whole value a `TruncatedValue` in drift.detected stands for. Read-only: consumers of the
 * event call it with their own connection (in `withOrgScope` where row-level security applies).
 * `found: false` when the drift or path is unknown (never stored, or pruned).
 */
export async function fetchDriftChangeValue(
  db: Kysely<Database>,
  ref: DriftChangeRef,
): Promise<{ found: false } | { found: true; value: JsonValue | null }> {
  const row = await db
    .selectFrom('drift_changes')
    .select(['declared_value', 'actual_value'])
    .where('drift_event_id', '=', ref.driftEventId)
    .where('property_path', '=', ref.propertyPath)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (!row) return { found: false };
  return { found: true, value: ref.side === 'declared' ? row.declared_value : row.actual_value };
}

/**
 * A drift's changes in the order drift.detected lists them, a page at a time: an event with
 * `changesTruncated` carried the first `included`; `listDriftChanges(db, id, { offset: included })`
 * continues from there.
 */
export async function listDriftChanges(
  db: Kysely<Database>,
  driftEventId: number,
  page: { offset?: number; limit?: number } = {},
): Promise<StoredDriftChange[]> {
  const rows = await db
    .selectFrom('drift_changes')
    .select(['property_path', 'declared_value', 'actual_value', 'change_type', 'is_sensitive', 'security_rule_ids'])
    .where('drift_event_id', '=', driftEventId)
    .orderBy('id')
    .offset(Math.max(0, page.offset ?? 0))
    .limit(Math.min(Math.max(1, page.limit ?? 500), 5_000))
    .execute();
  return rows.map((r) => ({
    path: r.property_path,
    declared: r.declared_value,
    actual: r.actual_value,
    changeType: r.change_type,
    sensitive: r.is_sensitive,
    securityRuleIds: r.security_rule_ids,
  }));
}
