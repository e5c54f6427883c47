import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createDb, migrations } from '../src/index.js';
import { createTestDatabase, migrationSetKey, testServerUrl } from '../src/testing.js';

const exists = async (name: string) => {
  const admin = createDb(await testServerUrl(), { max: 1 });
  try {
    const { rows } = await sql`SELECT 1 FROM pg_database WHERE datname = ${name}`.execute(admin);
    return rows.length === 1;
  } finally {
    await admin.destroy();
  }
};

describe('createTestDatabase', () => {
  it('gives each caller its own fully migrated database and drops it on destroy', async () => {
    const [a, b] = await Promise.all([createTestDatabase('isolation'), createTestDatabase('isolation')]);
    try {
      expect(a.name).not.toBe(b.name);
      expect(a.name).toMatch(/^dgt_isolation_/);
      const { rows } = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(a.db);
      expect(rows.map((r) => r.name)).toEqual(Object.keys(migrations));
      await a.db.insertInto('organizations').values({ name: 'Only in A', slug: 'a' }).execute();
      expect(await b.db.selectFrom('organizations').selectAll().execute()).toEqual([]);
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
    }
    expect(await exists(a.name)).toBe(false);
    expect(await exists(b.name)).toBe(false);
    await expect(a.destroy()).resolves.toBeUndefined();
  });

  it('drops the database even while other connections to it are open', async () => {
    const test = await createTestDatabase('force');
    const other = createDb(test.url, { max: 1 });
    await sql`SELECT 1`.execute(other);
    await test.destroy();
    expect(await exists(test.name)).toBe(false);
    await other.destroy();
  });
});

describe('migrationSetKey', () => {
  const statement = (text: string) => async (db: Kysely<unknown>) => {
    await sql.raw(text).execute(db);
  };
  // Both migrations run the SQL of a module-level constant: their functions' source is identical.
  const withSql = (text: string) => ({ '0001-only': { up: statement(text) } });

  it('gives a new key when only the SQL a migration runs changes', async () => {
    const before = await migrationSetKey(withSql('CREATE TABLE t (a int)'));
    const after = await migrationSetKey(withSql('CREATE TABLE t (a int, b int)'));
    expect(statement('x').toString()).toBe(statement('y').toString());
    expect(after).not.toBe(before);
    expect(await migrationSetKey(withSql('CREATE TABLE t (a int)'))).toBe(before);
  });

  it('keys the real migration set on every statement it runs', async () => {
    const full = await migrationSetKey();
    const names = Object.keys(migrations);
    const withoutLast = Object.fromEntries(names.slice(0, -1).map((n) => [n, migrations[n]!]));
    expect(full).toMatch(/^[0-9a-f]{12}$/);
    expect(await migrationSetKey(withoutLast)).not.toBe(full);
  });
});
