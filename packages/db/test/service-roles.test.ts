import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, migrate, runAsOrg, withOrgScope, writeAudit, type Database, type TenantTable } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';
import { seedOrganization } from './fixtures.js';

const DENIED = /permission denied/;
const recommendation = (driftId: number) =>
  ({
    drift_event_id: driftId,
    recommendation_type: 'auto_revert',
    priority: 'high',
    confidence_score: '0.9',
    rationale: 'revert the ACL',
    recommended_by: 'policy',
  }) as const;
const TENANT_TABLES: TenantTable[] = [
  'organizations',
  'environments',
  'iac_repositories',
  'iac_resources',
  'drift_events',
  'drift_changes',
];

describe('service roles', () => {
  let test: TestDatabase;
  let a: Awaited<ReturnType<typeof seedOrganization>>;
  let b: Awaited<ReturnType<typeof seedOrganization>>;
  const pools: Kysely<Database>[] = [];
  const as = (role: string) => {
    const db = createDb(test.url, { role, max: 2 });
    pools.push(db);
    return db;
  };

  beforeAll(async () => {
    test = await createTestDatabase('roles');
    a = await seedOrganization(test.db, 'acme');
    b = await seedOrganization(test.db, 'globex');
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.destroy()));
    await test?.destroy();
  });

  it('refuses each service a write to a table it does not own and allows what it owns', async () => {
    const ingest = as('dg_ingest');
    await runAsOrg(a.orgId, async () => {
      await expect(ingest.insertInto('recommendations').values(recommendation(a.driftId)).execute()).rejects.toThrow(DENIED);
      const touched = await ingest
        .updateTable('drift_events')
        .set({ seen_count: 2 })
        .where('id', '=', a.driftId)
        .executeTakeFirst();
      expect(touched.numUpdatedRows).toBe(1n);
      await expect(
        ingest.updateTable('drift_events').set({ severity_score: '0.9' }).where('id', '=', a.driftId).execute(),
      ).rejects.toThrow(DENIED);
    });

    const notifier = as('dg_notifier');
    await runAsOrg(a.orgId, async () => {
      await expect(
        notifier.updateTable('drift_events').set({ resolution_type: 'accepted' }).where('id', '=', a.driftId).execute(),
      ).rejects.toThrow(DENIED);
      await expect(
        notifier.insertInto('drift_events').values({ environment_id: a.envId, drift_type: 'added' }).execute(),
      ).rejects.toThrow(DENIED);
      expect(await notifier.selectFrom('notifications').select('id').execute()).toHaveLength(1);
    });

    const analysis = as('dg_analysis');
    await runAsOrg(a.orgId, async () => {
      const scored = await analysis
        .updateTable('drift_events')
        .set({ severity_score: '0.75', confidence_score: '0.9' })
        .where('id', '=', a.driftId)
        .executeTakeFirst();
      expect(scored.numUpdatedRows).toBe(1n);
      await expect(
        analysis.updateTable('drift_events').set({ resolution_type: 'accepted' }).where('id', '=', a.driftId).execute(),
      ).rejects.toThrow(DENIED);
      await expect(
        analysis
          .insertInto('iac_resources')
          .values({ iac_repository_id: a.repoId, resource_type: 'x', resource_id: 'x.y', declared_state: {} })
          .execute(),
      ).rejects.toThrow(DENIED);
    });

    const recommender = as('dg_recommender');
    await runAsOrg(a.orgId, async () => {
      await recommender.insertInto('recommendations').values(recommendation(a.driftId)).execute();
      await expect(recommender.deleteFrom('drift_changes').execute()).rejects.toThrow(DENIED);
      await expect(recommender.selectFrom('api_tokens').select('id').execute()).rejects.toThrow(DENIED);
    });

    const api = as('dg_api');
    await runAsOrg(a.orgId, async () => {
      await api.updateTable('environments').set({ name: 'renamed' }).where('id', '=', a.envId).execute();
      await expect(api.updateTable('drift_events').set({ resolution_type: 'accepted' }).execute()).rejects.toThrow(DENIED);
      expect(await api.selectFrom('recommendations').select('id').execute()).toHaveLength(1);
    });
  });

  it('lets every service append audit rows but not read or change them', async () => {
    const ingest = as('dg_ingest');
    await withOrgScope(ingest, a.orgId, (tx) =>
      writeAudit(tx, { organizationId: a.orgId, action: 'test.write', resourceType: 'drift_event', resourceId: a.driftId }),
    );
    await runAsOrg(a.orgId, async () => {
      await expect(ingest.selectFrom('audit_log').select('action').execute()).rejects.toThrow(DENIED);
      await expect(ingest.deleteFrom('audit_log').execute()).rejects.toThrow(DENIED);
    });
    const written = await test.db.selectFrom('audit_log').select('action').where('action', '=', 'test.write').execute();
    expect(written).toHaveLength(1);
  });

  it("shows a service only its organization's rows, and no tenant row without an organization", async () => {
    const api = as('dg_api');
    for (const table of TENANT_TABLES) {
      const all = await test.db
        .selectFrom(table)
        .select(sql<number>`count(*)::int`.as('n'))
        .executeTakeFirstOrThrow();
      const scoped = await runAsOrg(b.orgId, () =>
        api
          .selectFrom(table)
          .select(sql<number>`count(*)::int`.as('n'))
          .executeTakeFirstOrThrow(),
      );
      const unscoped = await api
        .selectFrom(table)
        .select(sql<number>`count(*)::int`.as('n'))
        .executeTakeFirstOrThrow();
      expect({ table, scoped: scoped.n, unscoped: unscoped.n }).toEqual({ table, scoped: all.n / 2, unscoped: 0 });
    }
    const envs = await runAsOrg(b.orgId, () => api.selectFrom('environments').select('id').execute());
    expect(envs).toEqual([{ id: b.envId }]);
    // A connection handed back by one organization's work carries nothing into the next.
    expect(await api.selectFrom('organizations').select('id').execute()).toEqual([]);
  });

  it('keeps the service role under withOrgScope and refuses writes into another organization', async () => {
    const ingest = as('dg_ingest');
    const who = await withOrgScope(ingest, a.orgId, (tx) => sql<{ who: string }>`SELECT current_user AS who`.execute(tx));
    expect(who.rows[0]?.who).toBe('dg_ingest');
    await expect(
      withOrgScope(ingest, a.orgId, (tx) =>
        tx.insertInto('drift_events').values({ environment_id: b.envId, drift_type: 'added' }).execute(),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('opens cross-tenant paths only through their functions, to the services that need them', async () => {
    const [ingest, notifier] = [as('dg_ingest'), as('dg_notifier')];
    const waiting = await sql<{ n: number }>`SELECT dg_scans_waiting() AS n`.execute(ingest);
    expect(waiting.rows[0]?.n).toBe(0);
    await expect(sql`SELECT * FROM dg_claim_next_scan('x', 1)`.execute(notifier)).rejects.toThrow(DENIED);
    const candidates = await sql`SELECT * FROM dg_api_token_candidates(${Buffer.alloc(32)})`.execute(notifier);
    expect(candidates.rows).toEqual([]);
  });

  it("finds context signals by match key only in the caller's own organization", async () => {
    const analysis = as('dg_analysis');
    const at = new Date('2026-03-02T10:00:00Z');
    const signal = (org: { orgId: number; envId: number }, externalId: string, kind = 'audit_event') => ({
      organization_id: org.orgId,
      environment_id: org.envId,
      context_type: kind,
      external_system: 'cloudtrail',
      external_id: externalId,
      occurred_at: at,
      data: JSON.stringify({}),
      match_keys: ['i-0abc1234'],
    });
    const rows = await test.db
      .insertInto('context_signals')
      .values([signal(a, 'a-1'), signal(a, 'a-2', 'incident'), signal(b, 'b-1')])
      .returning(['id', 'external_id'])
      .execute();
    const idOf = (externalId: string) => rows.find((r) => r.external_id === externalId)?.id;
    const matching = (org: number) =>
      sql<{ id: string }>`SELECT dg_context_signals_matching(${org}::int, ${a.envId}::int,
        ${new Date('2026-03-01T00:00:00Z')}::timestamptz, ${new Date('2026-03-03T00:00:00Z')}::timestamptz,
        ${['incident']}::text[], ${['i-0abc1234', 'unrelated']}::text[]) AS id`.execute(analysis);
    // The incident is excluded by kind; organization b's signal, though it has the key, is not a's.
    expect((await runAsOrg(a.orgId, () => matching(a.orgId))).rows).toEqual([{ id: idOf('a-1') }]);
    // Inside a's scope, b's signals cannot be probed.
    expect((await runAsOrg(a.orgId, () => matching(b.orgId))).rows).toEqual([]);
    // Outside any scope the ids come back, but the signals themselves stay hidden by the policies.
    const read = () =>
      analysis
        .selectFrom('context_signals')
        .select('id')
        .where(
          'id',
          '=',
          sql<string>`ANY (ARRAY(SELECT dg_context_signals_matching(${a.orgId}::int, ${a.envId}::int,
          ${new Date('2026-03-01T00:00:00Z')}::timestamptz, ${new Date('2026-03-03T00:00:00Z')}::timestamptz,
          ${['incident']}::text[], ${['i-0abc1234']}::text[])))`,
        )
        .execute();
    expect(await read()).toEqual([]);
    expect(await runAsOrg(a.orgId, read)).toEqual([{ id: idOf('a-1') }]);
    await expect(
      runAsOrg(a.orgId, () => sql`SELECT dg_context_signals_matching(1, 1, now(), now(), '{}', '{}')`.execute(as('dg_notifier'))),
    ).rejects.toThrow(DENIED);
  });

  it('finds the window’s signals of a name that hundreds of signals carry, past the key index’s shortcut', async () => {
    const analysis = as('dg_analysis');
    // 700 signals named '*' (too large to index), one per hour from 2026-04-01: 48 fall in the window, past the first 500.
    const start = Date.parse('2026-04-01T00:00:00Z');
    const many = Array.from({ length: 700 }, (_, i) => ({
      organization_id: i % 7 === 6 ? b.orgId : a.orgId,
      environment_id: i % 7 === 6 ? b.envId : a.envId,
      context_type: 'audit_event',
      external_system: 'cloudtrail',
      external_id: `many-${i}`,
      occurred_at: new Date(start + i * 3600_000),
      data: JSON.stringify({}),
      match_keys: ['*'],
    }));
    const rows = await test.db
      .insertInto('context_signals')
      .values(many)
      .returning(['id', 'occurred_at', 'organization_id'])
      .execute();
    const [from, to] = [new Date('2026-04-26T00:00:00Z'), new Date('2026-04-27T23:59:59Z')];
    const expected = rows
      .filter((r) => r.organization_id === a.orgId && r.occurred_at >= from && r.occurred_at <= to)
      .map((r) => r.id)
      .sort();
    expect(expected.length).toBeGreaterThan(30);
    const found = await runAsOrg(a.orgId, () =>
      sql<{ id: string }>`SELECT dg_context_signals_matching(${a.orgId}::int, ${a.envId}::int, ${from}::timestamptz,
        ${to}::timestamptz, ${['incident']}::text[], ${['*', 'i-0nothing']}::text[]) AS id`.execute(analysis),
    );
    expect(found.rows.map((r) => r.id).sort()).toEqual(expected);
  });

  it('re-applies grants on every migrate run, covering columns added since', async () => {
    await sql`ALTER TABLE drift_events ADD COLUMN noted_at timestamptz`.execute(test.db);
    const privilege = () =>
      sql<{
        ingest: boolean;
        analysis: boolean;
      }>`SELECT has_column_privilege('dg_ingest', 'drift_events', 'noted_at', 'UPDATE') AS ingest,
        has_column_privilege('dg_analysis', 'drift_events', 'noted_at', 'UPDATE') AS analysis`.execute(test.db);
    expect((await privilege()).rows[0]).toEqual({ ingest: false, analysis: false });
    const result = await migrate(test.url, 'up');
    expect(result.applied).toEqual([]);
    expect(result.grantedRoles).toEqual(['dg_ingest', 'dg_analysis', 'dg_recommender', 'dg_notifier', 'dg_api']);
    expect((await privilege()).rows[0]).toEqual({ ingest: true, analysis: false });
  });
});
