import { createDb, withOrgScope, type Database } from '@driftguard/db';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { createLogger, parseConfig } from '@driftguard/runtime/boot';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiConfigSchema,
  dashboardByEnvironment,
  decodeDriftCursor,
  driftAnalytics,
  driftDetail,
  listDrifts,
  runJob,
  seedVolume,
  type DriftCursor,
  type DriftFilter,
  type DriftListItem,
  type DriftSort,
  type DriftSortKey,
  type VolumeSeedResult,
} from '../src/index.js';

const DAY = 86_400_000;
const now = new Date();
const utcDay = (d: Date) => d.toISOString().slice(0, 10);

let testDb: TestDatabase;
/** Records every statement the queries send, for EXPLAIN. */
let traced: Kysely<Database>;
const statements: { sql: string; parameters: readonly unknown[] }[] = [];
let org: VolumeSeedResult;
let other: VolumeSeedResult;

beforeAll(async () => {
  testDb = await createTestDatabase('api_queries');
  org = await seedVolume(testDb.url, { days: 5, perDay: 300, environments: 3, resourcesPerEnvironment: 60, org: 'big', now });
  other = await seedVolume(testDb.url, { days: 2, perDay: 50, environments: 1, resourcesPerEnvironment: 10, org: 'other', now });
  await runJob(
    {
      db: testDb.db,
      settings: parseConfig(apiConfigSchema, {}),
      log: createLogger({ level: 'silent', name: 't' }),
      now: () => now,
    },
    'rollup',
    { rollup: { from: utcDay(new Date(now.getTime() - 6 * DAY)), to: utcDay(now) } },
  );
  traced = createDb(testDb.url, {
    max: 2,
    log: (event) => {
      if (event.level === 'query') statements.push({ sql: event.query.sql, parameters: event.query.parameters });
    },
  });
});
afterAll(async () => {
  await traced?.destroy();
  await testDb?.destroy();
});

/** The list as the query API runs it: in the organization's row-level-security scope. */
const list = (
  orgId: number,
  filter: DriftFilter,
  page: { cursor?: DriftCursor; limit: number; probe?: number; sort?: DriftSort },
) => withOrgScope(testDb.db, orgId, (tx) => listDrifts(tx, orgId, filter, page));

const rawDrifts = (environmentIds: number[]) =>
  testDb.db
    .selectFrom('drift_events')
    .select(['id', 'environment_id', 'detected_at', 'resolved_at', 'severity_score', 'metadata'])
    .where('environment_id', 'in', environmentIds)
    .execute();

describe('console queries', () => {
  it('dashboard: open drift by severity and the last 24 hours per environment, and no other organization', async () => {
    const board = await dashboardByEnvironment(testDb.db, org.organizationId, now);
    expect(board.map((b) => b.environmentId).sort()).toEqual([...org.environmentIds].sort());
    const raw = await rawDrifts(org.environmentIds);
    for (const env of board) {
      const mine = raw.filter((d) => d.environment_id === env.environmentId);
      const open = mine.filter((d) => d.resolved_at === null);
      expect(env.open).toBe(open.length);
      expect(env.openBySeverity.critical).toBe(open.filter((d) => Number(d.severity_score) >= 0.8).length);
      expect(env.openBySeverity.low).toBe(open.filter((d) => d.severity_score !== null && Number(d.severity_score) < 0.3).length);
      expect(env.detectedLast24h).toBe(mine.filter((d) => (d.detected_at as Date).getTime() >= now.getTime() - DAY).length);
      expect(env.resolvedLast24h).toBe(
        mine.filter((d) => d.resolved_at !== null && d.resolved_at.getTime() >= now.getTime() - DAY).length,
      );
      expect(env.trend.length).toBeGreaterThan(0);
    }
  });

  it('drift detail: changes, analysis, predictions, recommendations and notifications of one drift, only within its organization', async () => {
    const withRec = await testDb.db
      .selectFrom('recommendations as r')
      .innerJoin('drift_events as d', 'd.id', 'r.drift_event_id')
      .select('d.id')
      .where('d.environment_id', 'in', org.environmentIds)
      .limit(1)
      .executeTakeFirstOrThrow();
    const detail = await driftDetail(testDb.db, org.organizationId, withRec.id);
    if (!detail) throw new Error('drift not found');
    const changes = await testDb.db
      .selectFrom('drift_changes')
      .select('property_path')
      .where('drift_event_id', '=', withRec.id)
      .orderBy('id')
      .execute();
    expect(detail.changes.map((c) => c.propertyPath)).toEqual(changes.map((c) => c.property_path));
    expect(detail.cause?.category).toEqual(expect.any(String));
    expect(detail.predictions).toHaveLength(1);
    expect(detail.recommendations.length).toBeGreaterThan(0);
    expect(await driftDetail(testDb.db, other.organizationId, withRec.id)).toBeUndefined();
  });

  it('lists drift newest first, page by page with a cursor, without gaps or repeats', async () => {
    const expected = (await rawDrifts(org.environmentIds))
      .filter((d) => d.resolved_at === null)
      .sort((a, b) => (b.detected_at as Date).getTime() - (a.detected_at as Date).getTime() || b.id - a.id)
      .map((d) => d.id);
    const seen: DriftListItem[] = [];
    let cursor: string | null = null;
    do {
      const decoded = cursor === null ? undefined : decodeDriftCursor(cursor);
      const page = await list(org.organizationId, { status: 'open' }, { limit: 37, ...(decoded ? { cursor: decoded } : {}) });
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen.map((d) => d.id)).toEqual(expected);
    expect(decodeDriftCursor('not a cursor')).toBeUndefined();
  });

  it('sorts by each key both ways, page by page, exactly as one ORDER BY over every open drift', async () => {
    const keys: Record<DriftSortKey, string> = {
      detected_at: 'detected_at',
      updated: 'greatest(detected_at, last_seen_at, resolved_at)',
      severity: 'coalesce(severity_score, -1)',
      priority: `coalesce((SELECT max(CASE r.priority WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END)
        FROM recommendations r WHERE r.drift_event_id = drift_events.id), 0)`,
      address: `coalesce(metadata #>> '{resource,address}', '')`,
      resource_type: `coalesce(metadata #>> '{resource,type}', '')`,
    };
    for (const [key, expr] of Object.entries(keys) as [DriftSortKey, string][]) {
      for (const direction of ['asc', 'desc'] as const) {
        const expected = await sql<{ id: number }>`
          SELECT id FROM drift_events WHERE environment_id = ANY (${org.environmentIds}::int[]) AND resolved_at IS NULL
          ORDER BY ${sql.raw(expr)} ${sql.raw(direction)}, id ${sql.raw(direction)}`.execute(testDb.db);
        const seen: number[] = [];
        let cursor: DriftCursor | undefined;
        for (;;) {
          const page = await list(
            org.organizationId,
            { status: 'open' },
            { limit: 97, sort: { key, direction }, ...(cursor ? { cursor } : {}) },
          );
          seen.push(...page.items.map((d) => d.id));
          if (page.nextCursor === null) break;
          cursor = decodeDriftCursor(page.nextCursor);
          expect(cursor?.sort).toBe(`${direction === 'desc' ? '-' : ''}${key}`);
        }
        expect(seen, `${key} ${direction}`).toEqual(expected.rows.map((r) => r.id));
      }
    }
  });

  it('searches resource address, physical id, property paths and values, case-insensitively', async () => {
    const raw = await rawDrifts(org.environmentIds);
    const target = raw[17];
    if (!target) throw new Error('no drift');
    const physicalId = String(Reflect.get(Reflect.get(Object(target.metadata), 'resource') ?? {}, 'physicalId'));
    const byId = await list(org.organizationId, { q: physicalId.toUpperCase() }, { limit: 500 });
    expect(byId.items.map((d) => d.id)).toContain(target.id);
    expect(byId.items.every((d) => d.physicalId === physicalId)).toBe(true);

    const byPath = await list(org.organizationId, { q: 'metadata_options/HTTP_tokens' }, { limit: 1000 });
    const withPath = await testDb.db
      .selectFrom('drift_changes as c')
      .innerJoin('drift_events as d', 'd.id', 'c.drift_event_id')
      .select('d.id')
      .distinct()
      .where('c.property_path', '=', '/metadata_options/http_tokens')
      .where('d.environment_id', 'in', org.environmentIds)
      .execute();
    expect(byPath.items.map((d) => d.id).sort((a, b) => a - b)).toEqual(withPath.map((r) => r.id).sort((a, b) => a - b));

    const byValue = await list(
      org.organizationId,
      { q: '0.0.0.0/0', environmentIds: [org.environmentIds[0] ?? 0] },
      { limit: 5 },
    );
    expect(byValue.items.length).toBeGreaterThan(0);
    expect(byValue.items.every((d) => d.resourceType === 'aws_security_group' && d.environmentId === org.environmentIds[0])).toBe(
      true,
    );
    // A small probe window sends the same searches through the trigram path: same answers.
    const viaIndex = async (f: DriftFilter, limit: number) =>
      (await list(org.organizationId, f, { limit, probe: 1 })).items.map((d) => d.id);
    expect(await viaIndex({ q: physicalId.toUpperCase() }, 500)).toEqual(byId.items.map((d) => d.id));
    expect(await viaIndex({ q: 'metadata_options/HTTP_tokens' }, 1000)).toEqual(byPath.items.map((d) => d.id));
    expect(await viaIndex({ q: '0.0.0.0/0', environmentIds: [org.environmentIds[0] ?? 0] }, 5)).toEqual(
      byValue.items.map((d) => d.id),
    );
    // Searching another organization's drift from this one's scope finds nothing.
    expect(
      (
        await withOrgScope(testDb.db, other.organizationId, (tx) =>
          listDrifts(tx, org.organizationId, { q: physicalId }, { limit: 5 }),
        )
      ).items,
    ).toEqual([]);
    const probe = await withOrgScope(testDb.db, other.organizationId, (tx) =>
      sql<{
        id: number;
      }>`SELECT dg_search_drift_events(${org.organizationId}::int, ${`%${physicalId.toLowerCase()}%`}::text) AS id`.execute(tx),
    );
    expect(probe.rows).toEqual([]);
    // A LIKE wildcard in the text is taken literally.
    expect((await list(org.organizationId, { q: '%' }, { limit: 5 })).items).toEqual([]);
  });

  it('90-day analytics add up the rollup of the organization', async () => {
    const a = await driftAnalytics(testDb.db, org.organizationId, {
      from: utcDay(new Date(now.getTime() - 90 * DAY)),
      to: utcDay(now),
    });
    const raw = await rawDrifts(org.environmentIds);
    expect(a.totals.total).toBe(raw.length);
    expect(a.totals.resolved).toBe(raw.filter((d) => d.resolved_at !== null).length);
    expect(Object.values(a.severity).reduce((x, y) => x + y, 0)).toBe(raw.length);
    expect(Object.values(a.causes).reduce((x, y) => x + y, 0)).toBe(raw.length);
    expect(a.days.length).toBeGreaterThanOrEqual(5);
  });
});

/** Index names and scanned tables of a plan (EXPLAIN FORMAT JSON). */
function planFacts(plan: unknown, out = { indexes: new Set<string>(), seqScans: new Set<string>() }) {
  if (Array.isArray(plan)) for (const p of plan) planFacts(p, out);
  else if (typeof plan === 'object' && plan !== null) {
    const node = Reflect.get(plan, 'Node Type');
    const index = Reflect.get(plan, 'Index Name');
    if (typeof index === 'string') out.indexes.add(index);
    if (node === 'Seq Scan') out.seqScans.add(String(Reflect.get(plan, 'Relation Name')));
    for (const v of Object.values(plan)) if (typeof v === 'object') planFacts(v, out);
  }
  return out;
}

describe('query plans (sequential scans disabled, as on a table too large to scan)', () => {
  async function explain(run: () => Promise<unknown>) {
    statements.length = 0;
    await run();
    return explainRecorded();
  }
  async function explainRecorded() {
    const client = new pg.Client({ connectionString: testDb.url });
    await client.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const facts = { indexes: new Set<string>(), seqScans: new Set<string>() };
      // The scope's transaction and set_config statements are not queries of the console.
      for (const s of statements.filter(
        (x) => /^(\s*--[^\n]*\n)*\s*(select|with)\b/i.test(x.sql) && !x.sql.includes('set_config('),
      )) {
        const r = await client.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${s.sql}`, [...s.parameters]);
        planFacts(r.rows[0]?.['QUERY PLAN'], facts);
      }
      return facts;
    } finally {
      await client.end();
    }
  }
  const big = [
    'drift_events',
    'drift_changes',
    'recommendations',
    'notifications',
    'drift_cause_analysis',
    'ml_predictions',
    'correlation_events',
  ];

  it('dashboard reads open drift, detections and resolutions through their indexes', async () => {
    const p = await explain(() => dashboardByEnvironment(traced, org.organizationId, now));
    expect([...p.indexes]).toEqual(
      expect.arrayContaining([
        'idx_drift_events_open_severity',
        'idx_drift_events_environment_time',
        'idx_drift_events_env_resolved',
      ]),
    );
    expect([...p.seqScans].filter((t) => big.includes(t))).toEqual([]);
  });

  it('drift detail is a lookup by key in every table', async () => {
    const p = await explain(() => driftDetail(traced, org.organizationId, org.firstDriftId));
    expect([...p.indexes]).toEqual(
      expect.arrayContaining([
        'drift_events_pkey',
        'idx_drift_changes_drift_event',
        'idx_ml_predictions_drift_event',
        'idx_notifications_drift_event',
        'idx_correlation_events_drift_temporal',
      ]),
    );
    // Recommendations by drift: either index that leads with drift_event_id (0012's unique one per analysis version, or 0015's).
    expect(
      [...p.indexes].some((i) => ['idx_recommendations_drift_event', 'recommendations_drift_analysis_version'].includes(i)),
    ).toBe(true);
    expect([...p.seqScans].filter((t) => big.includes(t))).toEqual([]);
  });

  it('search uses the trigram indexes; the plain list walks the newest-first index', async () => {
    const search = await explain(() =>
      withOrgScope(traced, org.organizationId, (tx) => listDrifts(tx, org.organizationId, { q: 'sg-1234' }, { limit: 50 })),
    );
    expect([...search.seqScans].filter((t) => big.includes(t))).toEqual([]);
    // The match runs in dg_search_drift_events (where row-level security cannot keep LIKE out of an index).
    const body = (
      await sql<{ src: string }>`SELECT prosrc AS src FROM pg_proc WHERE proname = 'dg_search_drift_events'`.execute(testDb.db)
    ).rows[0];
    if (!body) throw new Error('dg_search_drift_events is missing');
    statements.length = 0;
    statements.push({ sql: body.src, parameters: [org.organizationId, '%sg-1234%'] });
    const inner = await explainRecorded();
    expect([...inner.indexes]).toEqual(
      expect.arrayContaining(['idx_drift_events_resource_trgm', 'idx_drift_changes_path_trgm', 'idx_drift_changes_values_trgm']),
    );
    expect([...inner.seqScans].filter((t) => big.includes(t))).toEqual([]);
    const list = await explain(() =>
      withOrgScope(traced, org.organizationId, (tx) => listDrifts(tx, org.organizationId, {}, { limit: 50 })),
    );
    expect([...list.indexes].some((i) => i === 'idx_drift_events_time_id' || i === 'idx_drift_events_environment_time')).toBe(
      true,
    );
    expect([...list.seqScans].filter((t) => big.includes(t))).toEqual([]);
  });

  it('sorts by severity and by last activity by walking their (key, id) indexes', async () => {
    for (const [key, index] of [
      ['severity', 'idx_drift_events_severity_id'],
      ['updated', 'idx_drift_events_activity_id'],
    ] as const) {
      const p = await explain(() =>
        withOrgScope(traced, org.organizationId, (tx) =>
          listDrifts(tx, org.organizationId, {}, { limit: 50, sort: { key, direction: 'desc' } }),
        ),
      );
      expect([...p.indexes], key).toContain(index);
      expect([...p.seqScans].filter((t) => big.includes(t))).toEqual([]);
    }
  });

  it('analytics read only drift_metrics_daily, by its (environment, date) key', async () => {
    const p = await explain(() =>
      driftAnalytics(traced, org.organizationId, { from: utcDay(new Date(now.getTime() - 90 * DAY)), to: utcDay(now) }),
    );
    expect([...p.indexes]).toContain('drift_metrics_daily_environment_id_date_key');
    expect([...p.seqScans].filter((t) => big.includes(t))).toEqual([]);
  });
});
