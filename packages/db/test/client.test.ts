import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, dropDatabase } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

describe('createDb', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase('client');
  });
  afterAll(() => test?.destroy());

  it('reads int8 and numeric as strings, timestamptz as Date, date and interval as text', async () => {
    const org = await test.db
      .insertInto('organizations')
      .values({ name: 'Types', slug: 'types' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const env = await test.db
      .insertInto('environments')
      .values({ organization_id: org.id, name: 'p', slug: 'p', cloud_provider: 'azure' })
      .returning(['id', 'created_at'])
      .executeTakeFirstOrThrow();
    expect(env.created_at).toBeInstanceOf(Date);
    const metrics = await test.db
      .insertInto('drift_metrics_daily')
      .values({ environment_id: env.id, date: '2026-02-28', avg_resolution_time: '2 hours', recommendation_adoption_rate: 0.125 })
      .returning(['date', 'avg_resolution_time', 'recommendation_adoption_rate'])
      .executeTakeFirstOrThrow();
    expect(metrics).toEqual({ date: '2026-02-28', avg_resolution_time: '02:00:00', recommendation_adoption_rate: '0.1250' });
    const rule = await test.db
      .insertInto('ignore_rules')
      .values({ organization_id: org.id, suppressed_count: '9007199254740993' })
      .returning('suppressed_count')
      .executeTakeFirstOrThrow();
    expect(rule.suppressed_count).toBe('9007199254740993');
  });

  it('writes jsonb from plain objects and from JSON text (arrays, scalars)', async () => {
    const org = await test.db
      .insertInto('organizations')
      .values({ name: 'Json', slug: 'json' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const row = await test.db
      .insertInto('context_signals')
      .values({
        organization_id: org.id,
        context_type: 'git_commit',
        external_system: 'github',
        external_id: 'abc123',
        occurred_at: new Date('2026-01-02T03:04:05Z'),
        resource_refs: JSON.stringify(['aws_s3_bucket.logs']),
        data: { sha: 'abc123', files: ['main.tf'] },
      })
      .returning(['id', 'resource_refs', 'data', 'occurred_at'])
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      id: expect.stringMatching(/^\d+$/),
      resource_refs: ['aws_s3_bucket.logs'],
      data: { sha: 'abc123', files: ['main.tf'] },
      occurred_at: new Date('2026-01-02T03:04:05Z'),
    });
  });

  it('survives its idle connections being terminated and reports them to onConnectionError', async () => {
    const victim = await createTestDatabase('idle');
    const errors: Error[] = [];
    const db = createDb(victim.url, { max: 2, onConnectionError: (e) => errors.push(e) });
    await sql`SELECT 1`.execute(db);
    await dropDatabase(victim.url);
    await expect.poll(() => errors.length).toBeGreaterThan(0);
    await db.destroy();
    await victim.destroy();
  });

  it('survives the server ending a connection held between two queries of a transaction', async () => {
    const errors: Error[] = [];
    const db = createDb(test.url, { max: 2, onConnectionError: (e) => errors.push(e) });
    const admin = createDb(test.url, { max: 1 });
    // The server's notice reaches a client no query is running on: node-pg emits it as an
    // 'error' event, which would end the process if no one listened.
    const outcome = db.transaction().execute(async (tx) => {
      const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(tx);
      await sql`SELECT pg_terminate_backend(${rows[0]!.pid})`.execute(admin);
      await expect.poll(() => errors.length).toBeGreaterThan(0);
      await sql`SELECT 1`.execute(tx);
    });
    await expect(outcome).rejects.toThrow();
    expect(errors.map((e) => (e as Error & { code?: string }).code)).toContain('57P01');
    // the broken connection left the pool: the next unit of work gets a sound one
    expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(db)).rows).toEqual([{ one: 1 }]);
    await admin.destroy();
    await db.destroy();
  });
});
