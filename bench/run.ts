/**
 * `pnpm bench`: runs each benchmark in order and prints one table of the rows they return
 * (a bench may also print its own report and return nothing). Benches that need services are
 * loaded only when their environment is there.
 */
import type { BenchRow } from './diff.bench.js';
import { writeResults } from './results.js';

interface Bench {
  name: string;
  load: () => Promise<{ run: () => Promise<BenchRow[] | void> }>;
  /** Environment variables the bench needs; skipped (and said so) without them. */
  needs?: string[];
}

const benches: Bench[] = [
  { name: 'diff engine', load: () => import('./diff.bench.js') },
  { name: 'ingest end to end', load: () => import('./ingest.bench.js') },
  { name: 'cause prediction', load: () => import('./cause.bench.js') },
  { name: 'analysis end to end', load: () => import('./analysis.bench.js') },
  { name: 'recommender end to end', load: () => import('./recommender.bench.js') },
  { name: 'notifier', load: () => import('./notifier.bench.js'), needs: ['DATABASE_URL', 'NATS_URL'] },
  { name: 'pipeline lone critical', load: () => import('./pipeline-latency.bench.js'), needs: ['DATABASE_URL', 'NATS_URL'] },
  { name: 'console queries', load: () => import('./queries.bench.js') },
  { name: 'pipeline burst', load: () => import('./e2e.bench.js'), needs: ['DATABASE_URL', 'NATS_URL'] },
];

// `pnpm bench --soak`: only the steady-load memory soak (BENCH_SOAK_SECONDS, 600 by default).
const soak: Bench = { name: 'pipeline soak', load: () => import('./soak.bench.js'), needs: ['DATABASE_URL', 'NATS_URL'] };

// `pnpm bench analysis recommender` runs only the benches whose names contain one of the words.
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = process.argv.includes('--soak')
  ? [soak]
  : only.length === 0
    ? benches
    : benches.filter((b) => only.some((word) => b.name.includes(word)));

const rows: BenchRow[] = [];
for (const bench of selected) {
  const missing = (bench.needs ?? []).filter((v) => !process.env[v]);
  if (missing.length > 0) {
    console.log(`${bench.name}: skipped (set ${missing.join(', ')} to run it)`);
    continue;
  }
  const result = await (await bench.load()).run();
  if (result) rows.push(...result);
}

await writeResults(rows);

const header = ['bench', 'engine', 'pairs', 'ops/s', 'ms per 1k', 'note'];
const table = rows.map((r) => [
  r.bench,
  r.engine,
  String(r.pairs),
  r.opsPerSec.toLocaleString('en-US'),
  r.msPer1k.toFixed(2),
  r.note ?? '',
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of table) console.log(line(row));
