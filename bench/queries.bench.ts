/**
 * p50/p95 of the console's queries (services/api/src/analytics) as the query API runs them: as
 * role dg_api, inside the organization's row-level-security scope. On the database of
 * DG_BENCH_DATABASE_URL (seed it first: `DATABASE_URL=… pnpm dg seed --days 90 --per-day 50000`),
 * the organization with the most drift; without it, a smaller organization seeded here into a
 * database of its own (DG_BENCH_SEED_PER_DAY a day for 90 days, default 2,000), and said so.
 */
import { performance } from 'node:perf_hooks';
import { createDb, withOrgScope, type Database } from '@driftguard/db';
import { createTestDatabase } from '@driftguard/db/testing';
import { createLogger, parseConfig } from '@driftguard/runtime/boot';
import { sql, type Kysely, type Transaction } from 'kysely';
import {
  apiConfigSchema,
  dashboardByEnvironment,
  decodeDriftCursor,
  driftAnalytics,
  driftDetail,
  listDrifts,
  runJob,
  seedVolume,
} from '../services/api/src/index.js';
import type { BenchRow } from './diff.bench.js';

const RUNS = Number(process.env['DG_BENCH_QUERY_RUNS'] ?? 30);
const DAY = 86_400_000;

interface Case {
  name: string;
  goalMs: number;
  run: (tx: Transaction<Database>, i: number) => Promise<unknown>;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function prepare(): Promise<{ url: string; cleanup: () => Promise<void>; note: string }> {
  const given = process.env['DG_BENCH_DATABASE_URL'];
  if (given) return { url: given, cleanup: async () => undefined, note: 'database of DG_BENCH_DATABASE_URL' };
  const perDay = Number(process.env['DG_BENCH_SEED_PER_DAY'] ?? 2_000);
  console.log(
    `queries: DG_BENCH_DATABASE_URL is not set; seeding 90 days × ${perDay} drifts into a database of its own (set it to a database seeded with \`dg seed\` to measure at full volume)`,
  );
  const tdb = await createTestDatabase('bench_queries');
  const t0 = performance.now();
  await seedVolume(tdb.url, { days: 90, perDay, onProgress: (m) => console.log(`  seed: ${m}`) });
  const now = new Date();
  await runJob(
    {
      db: tdb.db,
      settings: parseConfig(apiConfigSchema, {}),
      log: createLogger({ level: 'warn', name: 'bench' }),
      now: () => now,
    },
    'rollup',
    { rollup: { from: new Date(now.getTime() - 89 * DAY).toISOString().slice(0, 10), to: now.toISOString().slice(0, 10) } },
  );
  console.log(`queries: seeded and rolled up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { url: tdb.url, cleanup: () => tdb.destroy(), note: `seeded here, ${(90 * perDay).toLocaleString('en-US')} drifts` };
}

export async function run(): Promise<BenchRow[]> {
  const { url, cleanup, note } = await prepare();
  const owner = createDb(url, { max: 2 });
  const api = createDb(url, { max: 2, role: 'dg_api', applicationName: 'bench-queries' });
  try {
    const org = await biggestOrganization(owner);
    const drifts = await sql<{ id: number; physical: string | null }>`
      SELECT id, metadata #>> '{resource,physicalId}' AS physical FROM drift_events TABLESAMPLE SYSTEM (1)
      WHERE environment_id IN (SELECT id FROM environments WHERE organization_id = ${org.id}) LIMIT ${RUNS}`.execute(owner);
    // A 1 % block sample spreads the ids over the table; a small table may yield none.
    const sample =
      drifts.rows.length > 0
        ? drifts.rows
        : (
            await sql<{ id: number; physical: string | null }>`
              SELECT id, metadata #>> '{resource,physicalId}' AS physical FROM drift_events
              WHERE environment_id IN (SELECT id FROM environments WHERE organization_id = ${org.id}) LIMIT ${RUNS}`.execute(
              owner,
            )
          ).rows;
    if (sample.length === 0) throw new Error('no drift to measure: seed the database first');
    const pick = (i: number) => {
      const d = sample[i % sample.length];
      if (!d) throw new Error('empty sample');
      return { id: d.id, physical: d.physical ?? '' };
    };
    const now = new Date();
    const firstPage = await withOrgScope(api, org.id, (tx) =>
      listDrifts(tx, org.id, { status: 'open', minSeverity: 0.55 }, { limit: 50 }),
    );
    const cursor = firstPage.nextCursor ? decodeDriftCursor(firstPage.nextCursor) : undefined;
    const cases: Case[] = [
      { name: 'dashboard (per environment)', goalMs: 50, run: (tx) => dashboardByEnvironment(tx, org.id, now) },
      { name: 'drift detail', goalMs: 20, run: (tx, i) => driftDetail(tx, org.id, pick(i).id) },
      {
        name: 'list: open, severity ≥ 0.55',
        goalMs: 200,
        run: (tx) => listDrifts(tx, org.id, { status: 'open', minSeverity: 0.55 }, { limit: 50 }),
      },
      {
        name: 'list: page 2 (cursor)',
        goalMs: 200,
        run: (tx) => listDrifts(tx, org.id, { status: 'open', minSeverity: 0.55 }, { limit: 50, ...(cursor ? { cursor } : {}) }),
      },
      {
        name: 'list: environment, modified, 7 days',
        goalMs: 200,
        run: (tx) =>
          listDrifts(
            tx,
            org.id,
            { environmentIds: [org.firstEnvironment], driftTypes: ['modified'], detectedFrom: new Date(now.getTime() - 7 * DAY) },
            { limit: 50 },
          ),
      },
      {
        name: 'search: physical id',
        goalMs: 200,
        run: (tx, i) => listDrifts(tx, org.id, { q: pick(i).physical.slice(-10) }, { limit: 50 }),
      },
      {
        name: 'search: property path',
        goalMs: 200,
        run: (tx) => listDrifts(tx, org.id, { q: 'metadata_options/http_tokens' }, { limit: 50 }),
      },
      {
        name: 'search: value',
        goalMs: 200,
        run: (tx) => listDrifts(tx, org.id, { q: '0.0.0.0/0', status: 'open' }, { limit: 50 }),
      },
      {
        name: '90-day analytics',
        goalMs: 1000,
        run: (tx) =>
          driftAnalytics(tx, org.id, {
            from: new Date(now.getTime() - 89 * DAY).toISOString().slice(0, 10),
            to: now.toISOString().slice(0, 10),
          }),
      },
    ];
    console.log(
      `queries: organization ${org.id} with ${org.drifts.toLocaleString('en-US')} drifts (${note}); ${RUNS} runs each after 3 warm-ups, as dg_api in its scope`,
    );
    const table: string[][] = [];
    const rows: BenchRow[] = [];
    for (const c of cases) {
      for (let i = 0; i < 3; i++) await withOrgScope(api, org.id, (tx) => c.run(tx, i));
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        await withOrgScope(api, org.id, (tx) => c.run(tx, i));
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const p50 = percentile(times, 50);
      const p95 = percentile(times, 95);
      table.push([c.name, p50.toFixed(1), p95.toFixed(1), `≤ ${c.goalMs}`, p95 <= c.goalMs ? 'yes' : 'NO']);
      rows.push({
        bench: 'console queries',
        engine: c.name,
        pairs: org.drifts,
        opsPerSec: Math.round(1000 / Math.max(p50, 0.001)),
        msPer1k: p50 * 1000,
        note: `p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (goal ≤ ${c.goalMs} ms) over ${org.drifts.toLocaleString('en-US')} drifts, ${note}`,
        details: { p50Ms: p50, p95Ms: p95, goalMs: c.goalMs, drifts: org.drifts },
      });
    }
    const header = ['query', 'p50 ms', 'p95 ms', 'goal ms', 'p95 within goal'];
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => (r[i] ?? '').length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
    console.log(line(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of table) console.log(line(r));
    return rows;
  } finally {
    await api.destroy();
    await owner.destroy();
    await cleanup();
  }
}

/** The organization with the most rolled-up drift (cheap on a large database), and one of its environments. */
async function biggestOrganization(db: Kysely<Database>): Promise<{ id: number; drifts: number; firstEnvironment: number }> {
  const r = await sql<{ id: number; drifts: string; env: number }>`
    SELECT e.organization_id AS id, sum(m.total_drifts) AS drifts, min(e.id) AS env
    FROM drift_metrics_daily m JOIN environments e ON e.id = m.environment_id
    GROUP BY e.organization_id ORDER BY 2 DESC LIMIT 1`.execute(db);
  const row = r.rows[0];
  if (!row) throw new Error('no rolled-up drift: seed with `dg seed` (it rolls up) or run `dg jobs run rollup --from … --to …`');
  return { id: row.id, drifts: Number(row.drifts), firstEnvironment: row.env };
}
