/** `pnpm bench`: runs each benchmark in order and prints one table. */
import { run as diffBench, type BenchRow } from './diff.bench.js';

const benches: (() => Promise<BenchRow[]>)[] = [diffBench];

const rows: BenchRow[] = [];
for (const bench of benches) rows.push(...(await bench()));

const header = ['bench', 'engine', 'pairs', 'ops/s', 'ms per 1k', 'note'];
const table = rows.map((r) => [r.bench, r.engine, String(r.pairs), r.opsPerSec.toLocaleString('en-US'), r.msPer1k.toFixed(2), r.note ?? '']);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of table) console.log(line(row));
