import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDg } from './support/run-dg.js';

let testDb: TestDatabase;
let recommendationId: number;

beforeAll(async () => {
  testDb = await createTestDatabase('cli_jobs');
  const org = await testDb.db
    .insertInto('organizations')
    .values({ name: 'acme', slug: 'acme' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const env = await testDb.db
    .insertInto('environments')
    .values({ organization_id: org.id, name: 'prod', slug: 'prod', cloud_provider: 'aws' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const drift = await testDb.db
    .insertInto('drift_events')
    .values({ environment_id: env.id, drift_type: 'modified' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const rec = await testDb.db
    .insertInto('recommendations')
    .values({
      drift_event_id: drift.id,
      recommendation_type: 'codify_iac',
      priority: 'high',
      confidence_score: '0.90',
      rationale: 'codify the hotfix',
      recommended_by: 'policy_engine',
      expires_at: new Date(Date.now() - 60_000),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  recommendationId = rec.id;
});
afterAll(() => testDb?.destroy());

const dg = (args: string[]) => runDg(args, { DATABASE_URL: testDb.url, LOG_LEVEL: 'silent' });

describe('dg jobs', () => {
  it('lists the recommendation expiry sweep beside the lifecycle jobs', async () => {
    const listed = await dg(['jobs', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split('\n')).toEqual(expect.arrayContaining(['rollup', 'recommendation-expiry']));
  });

  it('runs the expiry sweep once: the open recommendation past its expiry expires, a second run finds nothing', async () => {
    const first = await dg(['jobs', 'run', 'recommendation-expiry']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ status: 'done', result: { organizations: 1, expired: 1 } });
    const row = await testDb.db
      .selectFrom('recommendations')
      .select('status')
      .where('id', '=', recommendationId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('expired');
    const again = await dg(['jobs', 'run', 'recommendation-expiry']);
    expect(JSON.parse(again.stdout)).toEqual({ status: 'done', result: { organizations: 0, expired: 0 } });
  });

  it('refuses an unknown job, naming the ones there are, and rollup options on the sweep', async () => {
    const unknown = await dg(['jobs', 'run', 'vacuum']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('recommendation-expiry');
    const dated = await dg(['jobs', 'run', 'recommendation-expiry', '--from', '2026-01-01']);
    expect(dated.code).not.toBe(0);
    expect(dated.stderr).toContain('--from and --to apply to rollup only');
  });
});
