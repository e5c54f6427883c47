import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDb, migratePglite, migrations, withOrgScope, type Database } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

const tablesOf = async (db: Kysely<Database>) => {
  const { rows } = await sql<{ name: string; kind: string }>`
    SELECT relname AS name, relkind AS kind FROM pg_class
    WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')
    ORDER BY relname`.execute(db);
  return rows;
};

describe('PGlite', () => {
  let lite: Kysely<Database>;
  let pg: TestDatabase;

  beforeAll(async () => {
    [lite, pg] = await Promise.all([createPgliteDb(), createTestDatabase('pglite')]);
  });
  afterAll(async () => {
    await lite?.destroy();
    await pg?.destroy();
  });

  it('runs the same migrations as PostgreSQL and ends with the same tables and partitions', async () => {
    const result = await migratePglite(lite);
    expect(result.applied).toEqual(Object.keys(migrations));
    expect(await tablesOf(lite)).toEqual(await tablesOf(pg.db));
  });

  it('returns values in the same JavaScript types as node-pg', async () => {
    const query = sql<Record<string, unknown>>`
      SELECT 9007199254740993::int8 AS big, 0.25::numeric(3,2) AS score, '2026-03-01'::date AS day,
             interval '90 minutes' AS span, now() AS at, '\\x0102'::bytea AS bytes, '{"a":[1]}'::jsonb AS doc`;
    const [fromLite, fromPg] = await Promise.all([query.execute(lite), query.execute(pg.db)]);
    expect(fromLite.rows[0]).toEqual({ ...fromPg.rows[0], at: expect.any(Date) });
    expect(fromLite.rows[0]).toMatchObject({
      big: '9007199254740993',
      score: '0.25',
      day: '2026-03-01',
      span: '01:30:00',
      bytes: Buffer.from([1, 2]),
      doc: { a: [1] },
    });
  });

  it('enforces row-level security under withOrgScope', async () => {
    const [a, b] = await lite
      .insertInto('organizations')
      .values([
        { name: 'Lite A', slug: 'lite-a' },
        { name: 'Lite B', slug: 'lite-b' },
      ])
      .returning('id')
      .execute();
    const visible = await withOrgScope(lite, a!.id, (tx) => tx.selectFrom('organizations').select('id').execute());
    expect(visible.map((o) => o.id)).toEqual([a!.id]);
    expect(visible.map((o) => o.id)).not.toContain(b!.id);
  });
});
