import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forOrg, withOrgScope, type TenantTable } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';
import { seedOrganization } from './fixtures.js';

const TENANT_TABLES: TenantTable[] = [
  'organizations',
  'environments',
  'iac_repositories',
  'iac_resources',
  'drift_events',
  'drift_changes',
  'notification_channels',
  'notifications',
  'notification_deliveries',
];

describe('tenant scoping', () => {
  let test: TestDatabase;
  let a: Awaited<ReturnType<typeof seedOrganization>>;
  let b: Awaited<ReturnType<typeof seedOrganization>>;

  beforeAll(async () => {
    test = await createTestDatabase('tenancy');
    a = await seedOrganization(test.db, 'acme');
    b = await seedOrganization(test.db, 'globex');
  });
  afterAll(() => test?.destroy());

  it("hides every other organization's rows under withOrgScope", async () => {
    for (const table of TENANT_TABLES) {
      const [all, scoped] = await Promise.all([
        test.db
          .selectFrom(table)
          .select(sql<number>`count(*)::int`.as('n'))
          .executeTakeFirstOrThrow(),
        withOrgScope(test.db, a.orgId, (tx) =>
          tx
            .selectFrom(table)
            .select(sql<number>`count(*)::int`.as('n'))
            .executeTakeFirstOrThrow(),
        ),
      ]);
      expect({ table, n: scoped.n }).toEqual({ table, n: all.n / 2 });
    }
    const envs = await withOrgScope(test.db, b.orgId, (tx) => tx.selectFrom('environments').select('id').execute());
    expect(envs).toEqual([{ id: b.envId }]);
  });

  it('refuses to write rows into another organization under withOrgScope', async () => {
    await expect(
      withOrgScope(test.db, a.orgId, (tx) =>
        tx
          .insertInto('environments')
          .values({ organization_id: b.orgId, name: 'sneaky', slug: 'sneaky', cloud_provider: 'gcp' })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
    const updated = await withOrgScope(test.db, a.orgId, (tx) =>
      tx.updateTable('drift_events').set({ seen_count: 5 }).where('id', '=', b.driftId).executeTakeFirst(),
    );
    expect(updated.numUpdatedRows).toBe(0n);
  });

  it('runs as dg_app only inside the scope, and sees nothing without an organization', async () => {
    const inside = await withOrgScope(test.db, a.orgId, (tx) =>
      sql<{ who: string; org: string }>`SELECT current_user AS who, current_setting('dg.org_id') AS org`.execute(tx),
    );
    expect(inside.rows[0]).toEqual({ who: 'dg_app', org: String(a.orgId) });
    const after = await sql<{ who: string }>`SELECT current_user AS who`.execute(test.db);
    expect(after.rows[0]?.who).not.toBe('dg_app');
    const unscoped = await test.db.transaction().execute(async (tx) => {
      await sql`SET LOCAL ROLE dg_app`.execute(tx);
      return tx.selectFrom('drift_events').select('id').execute();
    });
    expect(unscoped).toEqual([]);
  });

  it('confines forOrg queries to the organization through parent tables', async () => {
    const scope = forOrg(test.db, a.orgId);
    for (const table of TENANT_TABLES) {
      const rows = await scope
        .selectFrom(table)
        .select(sql<number>`count(*)::int`.as('n'))
        .executeTakeFirstOrThrow();
      expect({ table, n: rows.n }).toEqual({ table, n: 1 });
    }
    const changes = await scope.selectFrom('drift_changes').select(['drift_event_id', 'property_path']).execute();
    expect(changes).toEqual([{ drift_event_id: a.driftId, property_path: '/acl' }]);
    const updated = await scope.updateTable('drift_events').set({ seen_count: 2 }).where('id', '=', b.driftId).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(0n);
    const deleted = await scope.deleteFrom('notification_deliveries').executeTakeFirst();
    expect(deleted.numDeletedRows).toBe(1n);
    const left = await test.db.selectFrom('notification_deliveries').select('notification_id').execute();
    expect(left).toHaveLength(1);
  });
});
