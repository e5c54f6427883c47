import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnershipError, TABLE_OWNERS, assertWritable } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

describe('table ownership', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase('ownership');
  });
  afterAll(() => test?.destroy());

  it('names an owner for every table of the migrated database', async () => {
    const { rows } = await sql<{ name: string }>`
      SELECT relname AS name FROM pg_class
      WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition
        AND relname NOT LIKE 'kysely\\_%'`.execute(test.db);
    const unowned = rows.map((r) => r.name).filter((name) => !Object.hasOwn(TABLE_OWNERS, name));
    expect(unowned).toEqual([]);
    expect(rows.length).toBe(Object.keys(TABLE_OWNERS).length);
  });

  it('lets the owner write its table and refuses other services', () => {
    expect(() => assertWritable('api', 'environments')).not.toThrow();
    expect(() => assertWritable('ingest', 'environments')).toThrow(OwnershipError);
    expect(() => assertWritable('notifier', 'recommendations')).toThrow(
      expect.objectContaining({ name: 'OwnershipError', code: 'table_not_owned' }),
    );
  });

  it('gives the drift_events score columns to analysis and the rest to ingest', () => {
    expect(() =>
      assertWritable('analysis', 'drift_events', ['severity_score', 'confidence_score', 'risk_assessment']),
    ).not.toThrow();
    expect(() => assertWritable('ingest', 'drift_events', ['resolved_at', 'seen_count'])).not.toThrow();
    expect(() => assertWritable('ingest', 'drift_events', ['resolved_at', 'severity_score'])).toThrow(
      expect.objectContaining({ code: 'column_not_owned' }),
    );
    expect(() => assertWritable('analysis', 'drift_events', ['resolved_at'])).toThrow(
      expect.objectContaining({ code: 'column_not_owned' }),
    );
    expect(() => assertWritable('analysis', 'drift_events')).toThrow(OwnershipError);
  });

  it('lets ingest record a repository sync but nothing else of iac_repositories', () => {
    expect(() => assertWritable('ingest', 'iac_repositories', ['last_sync_at'])).not.toThrow();
    expect(() => assertWritable('ingest', 'iac_repositories', ['name'])).toThrow(OwnershipError);
  });

  it('lets every service write shared tables and rejects unknown ones', () => {
    for (const service of ['ingest', 'analysis', 'recommender', 'notifier', 'api'] as const) {
      expect(() => assertWritable(service, 'audit_log')).not.toThrow();
      expect(() => assertWritable(service, 'outbox')).not.toThrow();
    }
    expect(() => assertWritable('api', 'no_such_table')).toThrow(expect.objectContaining({ code: 'unknown_table' }));
  });
});
