import { createDb, type Database } from '@driftguard/db';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { createLogger, parseConfig } from '@driftguard/runtime/boot';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiConfigSchema,
  createLifecycleScheduler,
  runJob,
  seedVolume,
  type JobContext,
  type VolumeSeedResult,
} from '../src/index.js';

const DAY = 86_400_000;
const now = new Date();
const utcDay = (d: Date) => d.toISOString().slice(0, 10);

let testDb: TestDatabase;
/** The api's own role, as the service connects: its grants and row-level security apply. */
let apiDb: Kysely<Database>;
let recent: VolumeSeedResult;
let old: VolumeSeedResult;

const ctx = (): JobContext => ({
  db: apiDb,
  settings: parseConfig(apiConfigSchema, {}),
  log: createLogger({ level: 'silent', name: 'api-jobs-test' }),
  now: () => now,
});

beforeAll(async () => {
  testDb = await createTestDatabase('api_jobs');
  apiDb = createDb(testDb.url, { max: 4, role: 'dg_api', applicationName: 'api-jobs-test' });
  const small = { perDay: 120, environments: 3, resourcesPerEnvironment: 40 };
  recent = await seedVolume(testDb.url, { ...small, days: 4, org: 'recent', now });
  // Drift from 120 days ago: past the 90-day retention.
  old = await seedVolume(testDb.url, { ...small, days: 3, org: 'old', now: new Date(now.getTime() - 120 * DAY) });
});
afterAll(async () => {
  await apiDb?.destroy();
  await testDb?.destroy();
});

interface Bucket {
  total: number;
  resolved: number;
  resolutionMs: number;
  causes: Record<string, number>;
  severity: Record<string, number>;
  recs: number;
  adopted: number;
}

/** The rollup of one organization computed directly from its raw rows, independently of SQL aggregation. */
async function directAggregate(environmentIds: number[]): Promise<Map<string, Bucket>> {
  const drifts = await testDb.db
    .selectFrom('drift_events as d')
    .leftJoin('drift_cause_analysis as a', 'a.drift_event_id', 'd.id')
    .select(['d.environment_id', 'd.detected_at', 'd.resolved_at', 'd.severity_score', 'a.cause_category'])
    .where('d.environment_id', 'in', environmentIds)
    .execute();
  const recs = await testDb.db
    .selectFrom('recommendations as r')
    .innerJoin('drift_events as d', 'd.id', 'r.drift_event_id')
    .select(['d.environment_id', 'r.status', 'r.decided_at'])
    .where('d.environment_id', 'in', environmentIds)
    .execute();
  const buckets = new Map<string, Bucket>();
  const at = (env: number | null, when: Date) => {
    const key = `${env}/${utcDay(when)}`;
    let b = buckets.get(key);
    if (!b) {
      b = { total: 0, resolved: 0, resolutionMs: 0, causes: {}, severity: {}, recs: 0, adopted: 0 };
      buckets.set(key, b);
    }
    return b;
  };
  for (const d of drifts) {
    const detected = d.detected_at as Date;
    const b = at(d.environment_id, detected);
    b.total += 1;
    if (d.cause_category) b.causes[d.cause_category] = (b.causes[d.cause_category] ?? 0) + 1;
    const s = d.severity_score === null ? null : Number(d.severity_score);
    const band = s === null ? 'unscored' : s >= 0.8 ? 'critical' : s >= 0.55 ? 'high' : s >= 0.3 ? 'medium' : 'low';
    b.severity[band] = (b.severity[band] ?? 0) + 1;
    if (d.resolved_at) {
      const r = at(d.environment_id, d.resolved_at);
      r.resolved += 1;
      r.resolutionMs += d.resolved_at.getTime() - detected.getTime();
    }
  }
  for (const r of recs) {
    if (r.decided_at === null || !['accepted', 'rejected', 'implemented'].includes(r.status)) continue;
    const b = at(r.environment_id, r.decided_at);
    b.recs += 1;
    if (r.status === 'accepted' || r.status === 'implemented') b.adopted += 1;
  }
  return buckets;
}

async function rollupRows(environmentIds: number[]) {
  return testDb.db
    .selectFrom('drift_metrics_daily')
    .select([
      'environment_id',
      sql<string>`to_char(date, 'YYYY-MM-DD')`.as('day'),
      'total_drifts',
      'resolved_drifts',
      sql<number | null>`extract(epoch FROM avg_resolution_time)::float8`.as('avg_seconds'),
      'top_cause_categories',
      'severity_distribution',
      'recommendation_adoption_rate',
    ])
    .where('environment_id', 'in', environmentIds)
    .orderBy('environment_id')
    .orderBy('date')
    .execute();
}

describe('daily rollup', () => {
  it('equals a direct aggregate of the raw rows for every environment and day', async () => {
    const outcome = await runJob(ctx(), 'rollup', {
      rollup: { from: utcDay(new Date(now.getTime() - 4 * DAY)), to: utcDay(now) },
    });
    expect(outcome.status).toBe('done');
    const expected = await directAggregate(recent.environmentIds);
    const rows = await rollupRows(recent.environmentIds);
    expect(rows.map((r) => `${r.environment_id}/${r.day}`).sort()).toEqual([...expected.keys()].sort());
    for (const row of rows) {
      const b = expected.get(`${row.environment_id}/${row.day}`);
      expect(b).toBeDefined();
      if (!b) continue;
      expect(row.total_drifts).toBe(b.total);
      expect(row.resolved_drifts).toBe(b.resolved);
      if (b.resolved === 0) expect(row.avg_seconds).toBeNull();
      else expect(row.avg_seconds).toBeCloseTo(b.resolutionMs / b.resolved / 1000, 3);
      expect(row.top_cause_categories).toEqual(b.causes);
      expect(row.severity_distribution).toEqual({ critical: 0, high: 0, medium: 0, low: 0, unscored: 0, ...b.severity });
      const rate = b.recs === 0 ? null : Math.round((b.adopted / b.recs) * 10_000) / 10_000;
      expect(row.recommendation_adoption_rate === null ? null : Number(row.recommendation_adoption_rate)).toBe(rate);
    }
    // Running it again changes nothing (idempotent upsert).
    await runJob(ctx(), 'rollup', { rollup: { from: utcDay(new Date(now.getTime() - 4 * DAY)), to: utcDay(now) } });
    expect(await rollupRows(recent.environmentIds)).toEqual(rows);
  });

  it('runs once when started twice at once: the second run finds the lock and does nothing', async () => {
    const range = { from: utcDay(new Date(now.getTime() - 130 * DAY)), to: utcDay(now) };
    const first = runJob(ctx(), 'rollup', { rollup: range });
    // Wait until the first run holds its lock, then start the second while it works.
    for (let i = 0; i < 500; i++) {
      const held = await testDb.db.selectFrom('job_leases').select('holder').where('job', '=', 'rollup').execute();
      if (held.length > 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const second = await runJob(ctx(), 'rollup', { rollup: range });
    expect(second).toEqual({ status: 'skipped', reason: 'running elsewhere' });
    expect((await first).status).toBe('done');
  });
});

describe('drift retention', () => {
  const counts = async (environmentIds: number[]) => {
    const n = async (
      table:
        'drift_changes' | 'drift_cause_analysis' | 'ml_predictions' | 'recommendations' | 'notifications' | 'correlation_events',
    ) =>
      Number(
        (
          await testDb.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where(
              'drift_event_id',
              'in',
              testDb.db.selectFrom('drift_events').select('id').where('environment_id', 'in', environmentIds),
            )
            .executeTakeFirstOrThrow()
        ).n,
      );
    const drifts = await testDb.db
      .selectFrom('drift_events')
      .select(['id', 'resolved_at'])
      .where('environment_id', 'in', environmentIds)
      .execute();
    return {
      drifts: drifts.length,
      open: drifts.filter((d) => d.resolved_at === null).length,
      changes: await n('drift_changes'),
      causes: await n('drift_cause_analysis'),
      predictions: await n('ml_predictions'),
      recommendations: await n('recommendations'),
      notifications: await n('notifications'),
      correlations: await n('correlation_events'),
    };
  };
  const orphans = async () =>
    Number(
      (
        await sql<{ n: string }>`SELECT
          (SELECT count(*) FROM drift_changes c WHERE NOT EXISTS (SELECT 1 FROM drift_events d WHERE d.id = c.drift_event_id))
          + (SELECT count(*) FROM recommendations c WHERE NOT EXISTS (SELECT 1 FROM drift_events d WHERE d.id = c.drift_event_id))
          + (SELECT count(*) FROM notifications c WHERE c.drift_event_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM drift_events d WHERE d.id = c.drift_event_id)) AS n`.execute(testDb.db)
      ).rows[0]?.n,
    );

  it('keeps drift whose days are not rolled up, then removes resolved drift past 90 days with its dependent rows, once', async () => {
    const before = await counts(old.environmentIds);
    const recentBefore = await counts(recent.environmentIds);
    expect(before.drifts).toBe(360);
    await testDb.db.deleteFrom('drift_metrics_daily').where('environment_id', 'in', old.environmentIds).execute();

    const notRolledUp = await runJob(ctx(), 'drift-retention');
    expect(notRolledUp).toMatchObject({ status: 'done', result: { removedDrifts: 0 } });
    expect(await counts(old.environmentIds)).toEqual(before);

    // Backfill the old days (frozen days are only filled in), then both retention runs at once.
    const seededFrom = utcDay(new Date(now.getTime() - 123 * DAY));
    await runJob(ctx(), 'rollup', { rollup: { from: seededFrom, to: utcDay(new Date(now.getTime() - 100 * DAY)) } });
    const [a, b] = await Promise.all([runJob(ctx(), 'drift-retention'), runJob(ctx(), 'drift-retention')]);
    const removed = [a, b].reduce(
      (sum, o) => sum + (o.status === 'done' ? Number(Reflect.get(o.result, 'removedDrifts')) : 0),
      0,
    );
    expect(removed).toBe(before.drifts - before.open);

    const after = await counts(old.environmentIds);
    expect(after.drifts).toBe(before.open);
    expect(after.open).toBe(before.open);
    expect(after.changes).toBeLessThan(before.changes);
    expect(await orphans()).toBe(0);
    // Recent drift and every rollup row stay.
    expect(await counts(recent.environmentIds)).toEqual(recentBefore);
    expect((await rollupRows(old.environmentIds)).length).toBeGreaterThan(0);
  });
});

describe('audit_log', () => {
  it('refuses UPDATE, DELETE and TRUNCATE, to the tables owner as to the api role', async () => {
    const row = await testDb.db.selectFrom('audit_log').select(['id']).limit(1).executeTakeFirstOrThrow();
    await expect(
      testDb.db.updateTable('audit_log').set({ action: 'tampered' }).where('id', '=', row.id).execute(),
    ).rejects.toThrow(/append-only: UPDATE/);
    await expect(testDb.db.deleteFrom('audit_log').where('id', '=', row.id).execute()).rejects.toThrow(/append-only: DELETE/);
    await expect(sql`TRUNCATE audit_log`.execute(testDb.db)).rejects.toThrow(/append-only: TRUNCATE/);
    await expect(apiDb.deleteFrom('audit_log').where('id', '=', row.id).execute()).rejects.toThrow(
      /permission denied|append-only/,
    );
    const still = await testDb.db.selectFrom('audit_log').select('action').where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(still.action).toBe('drift.detected');
  });

  it('keeps monthly partitions ready at least four months ahead, the default partition empty', async () => {
    const outcome = await runJob(ctx(), 'audit-partitions');
    expect(outcome.status).toBe('done');
    const months = (
      await sql<{ month: string }>`SELECT to_char(month, 'YYYY-MM') AS month FROM dg_audit_partitions()`.execute(testDb.db)
    ).rows.map((r) => r.month);
    for (let i = 0; i <= 6; i++) {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 1));
      expect(months).toContain(d.toISOString().slice(0, 7));
    }
    const inDefault = await sql<{ n: string }>`SELECT count(*) AS n FROM audit_log_default`.execute(testDb.db);
    expect(Number(inDefault.rows[0]?.n)).toBe(0);
  });
});

describe('ML artifacts', () => {
  it('keeps the newest five versions of each model and the active one; predictions keep their rows', async () => {
    const ids: number[] = [];
    for (let v = 1; v <= 8; v++) {
      const r = await testDb.db
        .insertInto('ml_models')
        .values({
          name: 'retention-test-model',
          version: `v${v}`,
          model_type: 'classification',
          framework: 'xgboost',
          features: JSON.stringify([]),
          trained_at: new Date(now.getTime() - (10 - v) * DAY),
          is_active: v === 2,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.push(r.id);
    }
    const drift = await testDb.db.selectFrom('drift_events').select('id').limit(1).executeTakeFirstOrThrow();
    await testDb.db
      .insertInto('ml_predictions')
      .values({ drift_event_id: drift.id, ml_model_id: ids[0] ?? 0, prediction_result: JSON.stringify({ cause: 'unknown' }) })
      .execute();
    const outcome = await runJob(ctx(), 'ml-prune');
    expect(outcome.status).toBe('done');
    const removed = outcome.status === 'done' ? (Reflect.get(outcome.result, 'removedModelIds') as number[]) : [];
    expect([...removed].sort((x, y) => x - y)).toEqual([ids[0], ids[2]]);
    const kept = await testDb.db
      .selectFrom('ml_models')
      .select('version')
      .where('name', '=', 'retention-test-model')
      .orderBy('id')
      .execute();
    expect(kept.map((k) => k.version)).toEqual(['v2', 'v4', 'v5', 'v6', 'v7', 'v8']);
    const orphaned = await testDb.db
      .selectFrom('ml_predictions')
      .select('ml_model_id')
      .where('drift_event_id', '=', drift.id)
      .where('ml_model_id', 'is', null)
      .execute();
    expect(orphaned.length).toBe(1);
  });
});

describe('lifecycle scheduler', () => {
  it('runs the maintenance round (rollup of yesterday and today included) and stops cleanly, twice', async () => {
    const today = utcDay(now);
    await testDb.db
      .deleteFrom('drift_metrics_daily')
      .where('environment_id', 'in', recent.environmentIds)
      .where('date', '=', today)
      .execute();
    const scheduler = createLifecycleScheduler({
      ...ctx(),
      rollupIntervalMs: 3_600_000,
      ignoreCountsIntervalMs: 3_600_000,
      maintenanceIntervalMs: 3_600_000,
    });
    await scheduler.runOnce('maintenance');
    const rows = await rollupRows(recent.environmentIds);
    expect(rows.filter((r) => r.day === today).length).toBeGreaterThan(0);
    await scheduler.stop();
    await scheduler.stop();
  });
});
