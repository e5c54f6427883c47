/**
 * Diff engine benchmark: DriftGuard's diffResource against jsondiffpatch and microdiff on the same
 * seeded pairs. First checks that the three engines report the same changed leaf pointers on
 * plain objects (where set semantics and normalization do not apply), then times each engine in
 * its own process (fresh JIT state), three times in rotating order, keeping each engine's best.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { diffResource } from '../services/ingest/src/diff/diff.engine.js';
import { loadEngines, type Jsondiffpatch, type Microdiff } from './diff.engines.js';
import { makeGenerator, type ResourcePair } from './resource-pairs.js';
import type { WorkerTask } from './diff.worker.js';

export interface BenchRow {
  bench: string;
  engine: string;
  pairs: number;
  opsPerSec: number;
  msPer1k: number;
  note?: string;
  /** figures kept in bench/results.json beside the row */
  details?: Record<string, unknown>;
}

const SEED = 20261130;
const SETS = { plain: 2_000, realistic: 5_000 } as const;
const ENGINES: { id: WorkerTask['engine']; label: string }[] = [
  { id: 'driftguard', label: 'driftguard diffResource' },
  { id: 'microdiff', label: 'microdiff 1.6.0' },
  { id: 'jsondiffpatch', label: 'jsondiffpatch 0.7.7' },
];

const esc = (s: string | number) => String(s).replace(/~/g, '~0').replace(/\//g, '~1');

function jdpPointers(delta: unknown, base = '', out: string[] = []): string[] {
  if (delta === undefined || delta === null || typeof delta !== 'object') return out;
  for (const [k, v] of Object.entries(delta as Record<string, unknown>)) {
    if (k === '_t') continue;
    const p = `${base}/${esc(k.startsWith('_') ? k.slice(1) : k)}`;
    if (Array.isArray(v)) out.push(p);
    else jdpPointers(v, p, out);
  }
  return out;
}

/** Asserts equal changed-pointer sets on every plain pair; returns how many changes were compared. */
export function checkAgreement(pairs: ResourcePair[], engines: { microdiff: Microdiff; jsondiffpatch: Jsondiffpatch }): number {
  let compared = 0;
  for (const [i, p] of pairs.entries()) {
    const ours = diffResource(p.declared, p.actual, { resourceType: p.resourceType, profile: 'generic' })
      .map((c) => c.path)
      .sort();
    const md = engines
      .microdiff(p.declared, p.actual)
      .map((c) => '/' + c.path.map(esc).join('/'))
      .sort();
    const jdp = jdpPointers(engines.jsondiffpatch.diff(p.declared, p.actual)).sort();
    if (ours.join('\n') !== md.join('\n') || ours.join('\n') !== jdp.join('\n')) {
      throw new Error(
        `engines disagree on plain pair ${i}:\n ours ${ours.join(' ')}\n microdiff ${md.join(' ')}\n jsondiffpatch ${jdp.join(' ')}`,
      );
    }
    compared += ours.length;
  }
  return compared;
}

function timeInWorker(task: WorkerTask): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./diff.worker.ts', import.meta.url)), [JSON.stringify(task)], {
      execArgv: process.execArgv,
    });
    child.once('message', (m: { ms: number }) => resolve(m.ms));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`bench worker exited with ${code}`))));
  });
}

export async function run(): Promise<BenchRow[]> {
  const engines = await loadEngines();
  const plain = makeGenerator(SEED).plain(SETS.plain);
  const compared = checkAgreement(plain, engines);
  console.log(`diff: the three engines agree on all ${plain.length} plain pairs (${compared} changed leaf pointers compared)`);

  const rows: BenchRow[] = [];
  for (const set of ['plain', 'realistic'] as const) {
    const best = new Map<string, number>();
    for (let rep = 0; rep < 3; rep++) {
      for (let k = 0; k < ENGINES.length; k++) {
        const e = ENGINES[(rep + k) % ENGINES.length]!;
        const ms = await timeInWorker({ engine: e.id, set, seed: SEED, pairs: SETS[set], rounds: 80 });
        best.set(e.id, Math.min(best.get(e.id) ?? Infinity, ms));
      }
    }
    const label = set === 'plain' ? 'diff: plain objects' : 'diff: realistic resources';
    for (const e of ENGINES) {
      const ms = best.get(e.id)!;
      rows.push({
        bench: label,
        engine: e.label,
        pairs: SETS[set],
        opsPerSec: Math.round((SETS[set] / ms) * 1000),
        msPer1k: (ms / SETS[set]) * 1000,
      });
    }
    const mine = rows[rows.length - 3]!;
    const fastestOther = Math.min(rows[rows.length - 2]!.msPer1k, rows[rows.length - 1]!.msPer1k);
    mine.note = `${(fastestOther / mine.msPer1k).toFixed(2)}× the faster competitor`;
  }
  return rows;
}
