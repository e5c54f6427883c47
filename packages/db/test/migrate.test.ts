import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, dropDatabase, migrate, migrations, withDatabase } from '../src/index.js';
import { testServerUrl, uniqueDatabaseName } from '../src/testing.js';

const ALL = Object.keys(migrations);

describe('migrate', () => {
  const created: string[] = [];
  const freshUrl = async (prefix: string) => {
    const url = withDatabase(await testServerUrl(), uniqueDatabaseName(prefix));
    created.push(url);
    return url;
  };
  afterAll(async () => {
    for (const url of created) await dropDatabase(url);
  });

  it('lets two concurrent runs against a database that does not exist yet both succeed', async () => {
    const url = await freshUrl('race');
    const [a, b] = await Promise.all([migrate(url, 'up'), migrate(url, 'up')]);
    expect([a.createdDatabase, b.createdDatabase].filter(Boolean)).toHaveLength(1);
    // Each migration ran exactly once, in one of the two runs.
    expect([...a.applied, ...b.applied].sort()).toEqual(ALL);
    expect(a.status.map((s) => s.executedAt !== null)).toEqual(ALL.map(() => true));
    const db = createDb(url);
    try {
      const { rows } = await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(db);
      expect(rows.map((r) => r.name).sort()).toEqual(ALL);
    } finally {
      await db.destroy();
    }
  });

  it('reports pending migrations on status without applying them', async () => {
    const url = await freshUrl('status');
    const result = await migrate(url, 'status');
    expect(result).toMatchObject({ direction: 'status', createdDatabase: true, applied: [] });
    expect(result.status).toEqual(ALL.map((name) => ({ name, executedAt: null })));
  });

  it('reverts every migration one step at a time and applies them again', async () => {
    const url = await freshUrl('down');
    await migrate(url, 'up');
    for (const name of [...ALL].reverse()) {
      const result = await migrate(url, 'down');
      expect(result.applied).toEqual([name]);
    }
    const db = createDb(url);
    try {
      const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM pg_class
        WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND relname NOT LIKE 'kysely%'`.execute(db);
      expect(rows[0]?.n).toBe(0);
    } finally {
      await db.destroy();
    }
    expect((await migrate(url, 'up')).applied).toEqual(ALL);
  });

  it('throws a MigrationError naming the failed migration and leaves nothing of that run applied', async () => {
    const url = await freshUrl('broken');
    await migrate(url, 'up');
    const rls = '0004-row-level-security';
    while ((await migrate(url, 'status')).status.some((m) => m.name === rls && m.executedAt !== null)) {
      await migrate(url, 'down');
    }
    const db = createDb(url);
    try {
      await sql`DROP TABLE organizations CASCADE`.execute(db); // 0004 alters organizations
    } finally {
      await db.destroy();
    }
    await expect(migrate(url, 'up')).rejects.toMatchObject({ name: 'MigrationError', code: 'migration_failed', migration: rls });
    const pending = (await migrate(url, 'status')).status.filter((m) => m.executedAt === null).map((m) => m.name);
    expect(pending).toEqual(ALL.slice(ALL.indexOf(rls)));
  });
});
