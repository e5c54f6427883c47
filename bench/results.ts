/**
 * bench/results.json: the rows of the last `pnpm bench` run with the machine they were measured
 * on (each row keeps its own). Rows of benches not run this time are kept from the file as it was, so running one bench
 * updates its rows and leaves the others.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, release } from 'node:os';
import type { BenchRow } from './diff.bench.js';

const RESULTS = new URL('./results.json', import.meta.url);

type StoredRow = Record<string, unknown> & { bench: string; engine: string };

function isStoredRow(row: unknown): row is StoredRow {
  return (
    typeof row === 'object' &&
    row !== null &&
    'bench' in row &&
    typeof row.bench === 'string' &&
    'engine' in row &&
    typeof row.engine === 'string'
  );
}

/** The rows of results.json as it is, or none when it is missing or not ours. */
function storedRows(): StoredRow[] {
  if (!existsSync(RESULTS)) return [];
  const parsed: unknown = JSON.parse(readFileSync(RESULTS, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || !('rows' in parsed) || !Array.isArray(parsed.rows)) return [];
  return parsed.rows.filter(isStoredRow);
}

function version(command: string, args: string[]): string | null {
  try {
    return execFileSync(command, args, { encoding: 'utf8', timeout: 5_000, stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')[0]!;
  } catch {
    return null;
  }
}

export function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    postgres: version('psql', ['--version']),
    natsServer: version('nats-server', ['--version']),
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

export async function writeResults(rows: BenchRow[]): Promise<void> {
  if (rows.length === 0) return;
  const measuredAt = new Date().toISOString();
  const on = machine();
  const fresh = rows.map((r) => ({ ...r, measuredAt, machine: on }));
  const ran = new Set(rows.map((r) => `${r.bench}\u0000${r.engine}`));
  const kept = storedRows().filter((r) => !ran.has(`${r.bench}\u0000${r.engine}`));
  const out = { generatedAt: measuredAt, machine: on, rows: [...kept, ...fresh] };
  writeFileSync(RESULTS, `${JSON.stringify(out, null, 2)}\n`);
}
