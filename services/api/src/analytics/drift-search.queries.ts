import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '@driftguard/db';

/** Filters of the drift list; every one is optional. */
export interface DriftFilter {
  environmentIds?: readonly number[];
  status?: 'open' | 'resolved' | 'all';
  driftTypes?: readonly string[];
  /** Drift with a severity score at least this. */
  minSeverity?: number;
  /** Drift with a severity score at most this. */
  maxSeverity?: number;
  detectedFrom?: Date;
  detectedTo?: Date;
  resourceType?: string;
  causeCategory?: string;
  /** Only drift with a security-critical change. */
  securityCritical?: boolean;
  /** Only drift with a recommendation of one of these priorities. */
  priorities?: readonly string[];
  /**
   * Free text, case-insensitive, matched as a substring of the resource address, physical id,
   * a changed property path or a declared or actual value (trigram indexes).
   */
  q?: string;
}

export interface DriftListItem {
  id: number;
  environmentId: number;
  driftType: string;
  address: string | null;
  physicalId: string | null;
  resourceType: string | null;
  detectedAt: Date;
  resolvedAt: Date | null;
  severityScore: number | null;
}

export interface DriftPage {
  items: DriftListItem[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** What the list sorts by; each key with the drift id as tie-breaker, so the order is total. */
export type DriftSortKey = 'detected_at' | 'updated' | 'severity' | 'priority' | 'address' | 'resource_type';
export interface DriftSort {
  key: DriftSortKey;
  direction: 'asc' | 'desc';
}

const SORT_KEYS: readonly DriftSortKey[] = ['detected_at', 'updated', 'severity', 'priority', 'address', 'resource_type'];

/** `newest` / `oldest` (detection time), `<key>` ascending or `-<key>` descending. */
export function driftSortOf(sort: string): DriftSort {
  if (sort === 'newest') return { key: 'detected_at', direction: 'desc' };
  if (sort === 'oldest') return { key: 'detected_at', direction: 'asc' };
  const desc = sort.startsWith('-');
  const key = SORT_KEYS.find((k) => k === (desc ? sort.slice(1) : sort));
  if (key === undefined) throw new Error(`unknown drift sort ${sort}`);
  return { key, direction: desc ? 'desc' : 'asc' };
}

const timestampText = (e: RawBuilder<unknown>) => sql`to_char(${e} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Each sort key as SQL: the expression (the same as the index of migration 0023 for all but
 * priority, which is the drift's highest recommendation priority, 4 critical … 1 low, 0 none), its
 * type for the cursor's comparison, and its text for the cursor. NULLs map below every value.
 */
const SORT_SQL: Record<DriftSortKey, { expr: RawBuilder<unknown>; type: RawBuilder<unknown>; kind: 'time' | 'number' | 'text' }> =
  {
    detected_at: { expr: sql`d.detected_at`, type: sql`timestamptz`, kind: 'time' },
    updated: { expr: sql`greatest(d.detected_at, d.last_seen_at, d.resolved_at)`, type: sql`timestamptz`, kind: 'time' },
    severity: { expr: sql`coalesce(d.severity_score, -1)`, type: sql`numeric`, kind: 'number' },
    priority: {
      expr: sql`coalesce((SELECT max(CASE r.priority WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END)
      FROM recommendations r WHERE r.drift_event_id = d.id), 0)`,
      type: sql`int`,
      kind: 'number',
    },
    address: { expr: sql`coalesce(d.metadata #>> '{resource,address}', '')`, type: sql`text`, kind: 'text' },
    resource_type: { expr: sql`coalesce(d.metadata #>> '{resource,type}', '')`, type: sql`text`, kind: 'text' },
  };

const keyText = (key: DriftSortKey) => {
  const { expr, kind } = SORT_SQL[key];
  return kind === 'time' ? timestampText(expr) : sql`(${expr})::text`;
};

/** Where a page ends: the sort it belongs to, the last row's sort key (as text, timestamps to the microsecond) and id. */
export interface DriftCursor {
  sort: string;
  key: string;
  id: number;
}

const sortName = (s: DriftSort) => `${s.direction === 'desc' ? '-' : ''}${s.key}`;

const encodeCursor = (c: DriftCursor) => Buffer.from(JSON.stringify({ s: c.sort, k: c.key, id: c.id })).toString('base64url');

/** Reads a cursor of this list; undefined when it is not one (the caller answers 400). */
export function decodeDriftCursor(text: string): DriftCursor | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (typeof v !== 'object' || v === null) return undefined;
    const sort: unknown = Reflect.get(v, 's');
    const key: unknown = Reflect.get(v, 'k');
    const id: unknown = Reflect.get(v, 'id');
    if (typeof sort !== 'string' || typeof key !== 'string' || key.length > 1000 || key.includes('\u0000')) return undefined;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) return undefined;
    const parsed = SORT_KEYS.find((k) => k === sort.replace(/^-/, ''));
    if (parsed === undefined) return undefined;
    // The key must read as its type, so a tampered cursor is a 400, never a database error.
    const kind = SORT_SQL[parsed].kind;
    if (kind === 'time' && Number.isNaN(Date.parse(key))) return undefined;
    if (kind === 'number' && !/^-?\d{1,6}(\.\d{1,6})?$/.test(key)) return undefined;
    return { sort, key, id };
  } catch {
    return undefined;
  }
}

interface Row {
  id: number;
  environment_id: number;
  drift_type: string;
  address: string | null;
  physical_id: string | null;
  resource_type: string | null;
  detected_at: Date;
  resolved_at: Date | null;
  severity_score: string | null;
  cursor_key: string;
}

/** Newest drifts matched directly before the trigram indexes are asked (see listDrifts). */
const PROBE = 2_000;

/** `q` as a LIKE pattern matching it anywhere, its wildcards taken literally. */
const containsPattern = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Drift in the order `sort` asks (newest first by default), `limit` per page, keyset pagination:
 * the cursor is the last row's (sort key, id), so a page costs the same however deep. Run it in the
 * organization's scope (withOrgScope): the text search answers only there.
 */
export async function listDrifts(
  db: Kysely<Database>,
  orgId: number,
  filter: DriftFilter,
  page: {
    /** A cursor of the same sort (the route checks). */
    cursor?: DriftCursor;
    limit: number;
    /** Newest first by default; the cursor continues in the same order. */
    sort?: DriftSort;
    /** Newest drifts matched directly before the trigram indexes are asked (default 2,000). */
    probe?: number;
  },
): Promise<DriftPage> {
  // The organization's environments as one array (an InitPlan), not a join the planner might
  // repeat the rest of the plan for, once per environment.
  const where: RawBuilder<unknown>[] = [
    sql`d.environment_id = ANY (ARRAY(SELECT id FROM environments WHERE organization_id = ${orgId}))`,
  ];
  if (filter.environmentIds && filter.environmentIds.length > 0)
    where.push(sql`d.environment_id = ANY (${[...filter.environmentIds]}::int[])`);
  if (filter.status === 'open') where.push(sql`d.resolved_at IS NULL`);
  if (filter.status === 'resolved') where.push(sql`d.resolved_at IS NOT NULL`);
  if (filter.driftTypes && filter.driftTypes.length > 0) where.push(sql`d.drift_type = ANY (${[...filter.driftTypes]}::text[])`);
  if (filter.minSeverity !== undefined) where.push(sql`d.severity_score >= ${filter.minSeverity}`);
  if (filter.maxSeverity !== undefined) where.push(sql`d.severity_score <= ${filter.maxSeverity}`);
  if (filter.detectedFrom) where.push(sql`d.detected_at >= ${filter.detectedFrom}`);
  if (filter.detectedTo) where.push(sql`d.detected_at < ${filter.detectedTo}`);
  if (filter.resourceType) where.push(sql`d.metadata #>> '{resource,type}' = ${filter.resourceType}`);
  if (filter.causeCategory) {
    where.push(
      sql`EXISTS (SELECT 1 FROM drift_cause_analysis a WHERE a.drift_event_id = d.id AND a.cause_category = ${filter.causeCategory})`,
    );
  }
  if (filter.securityCritical)
    where.push(sql`EXISTS (SELECT 1 FROM drift_changes c WHERE c.drift_event_id = d.id AND c.is_security_critical)`);
  if (filter.priorities && filter.priorities.length > 0) {
    where.push(
      sql`EXISTS (SELECT 1 FROM recommendations r WHERE r.drift_event_id = d.id AND r.priority = ANY (${[...filter.priorities]}::text[]))`,
    );
  }
  const sort = page.sort ?? { key: 'detected_at', direction: 'desc' };
  const { expr, type } = SORT_SQL[sort.key];
  const desc = sort.direction === 'desc';
  if (page.cursor) {
    const at = sql`(${page.cursor.key}::${type}, ${page.cursor.id}::int)`;
    where.push(desc ? sql`(${expr}, d.id) < ${at}` : sql`(${expr}, d.id) > ${at}`);
  }
  const orderBy = desc ? sql`ORDER BY ${expr} DESC, d.id DESC` : sql`ORDER BY ${expr} ASC, d.id ASC`;
  const q = filter.q?.trim() ?? '';
  const select = (extra: RawBuilder<unknown>[], limit: number) =>
    sql<Row>`
      SELECT d.id, d.environment_id, d.drift_type, d.metadata #>> '{resource,address}' AS address,
        d.metadata #>> '{resource,physicalId}' AS physical_id, d.metadata #>> '{resource,type}' AS resource_type,
        d.detected_at, d.resolved_at, d.severity_score,
        ${keyText(sort.key)} AS cursor_key
      FROM drift_events d
      WHERE ${sql.join([...where, ...extra], sql` AND `)}
      ${orderBy}
      LIMIT ${limit}`.execute(db);
  let found: Row[];
  if (q === '') {
    found = (await select([], page.limit + 1)).rows;
  } else {
    const p = containsPattern(q);
    // Text that many drifts contain: the newest PROBE drifts that pass the other filters are
    // matched directly, and a full page among them is the exact answer (nothing newer was
    // skipped). Rarer text: the trigram indexes find every match, through
    // dg_search_drift_events (migration 0015), whose ids then pass this query's policies.
    const probe = Math.max(page.probe ?? PROBE, page.limit + 1);
    const window = (await select([], probe)).rows;
    const matched = new Set(
      (
        await sql<{
          id: number;
        }>`SELECT dg_drift_events_matching(${orgId}::int, ${window.map((w) => w.id)}::int[], ${p}::text) AS id`.execute(db)
      ).rows.map((m) => m.id),
    );
    const inWindow = window.filter((w) => matched.has(w.id));
    found =
      inWindow.length > page.limit || window.length < probe
        ? inWindow.slice(0, page.limit + 1)
        : (await select([sql`d.id = ANY (ARRAY(SELECT dg_search_drift_events(${orgId}::int, ${p}::text)))`], page.limit + 1))
            .rows;
  }
  const rows = found.slice(0, page.limit);
  const items = rows.map((x) => ({
    id: x.id,
    environmentId: x.environment_id,
    driftType: x.drift_type,
    address: x.address,
    physicalId: x.physical_id,
    resourceType: x.resource_type,
    detectedAt: x.detected_at,
    resolvedAt: x.resolved_at,
    severityScore: x.severity_score === null ? null : Number(x.severity_score),
  }));
  const last = rows.at(-1);
  const nextCursor =
    found.length > page.limit && last ? encodeCursor({ sort: sortName(sort), key: last.cursor_key, id: last.id }) : null;
  return { items, nextCursor };
}
