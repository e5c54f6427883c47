/**
 * Diff engine benchmark: DriftGuard's diffResource against jsondiffpatch and microdiff on the same
 * seeded pairs. First checks that the three engines report the same changed leaf pointers on
 * plain objects (where set semantics and normalization do not apply), then times each engine.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { diffResource } from '../services/ingest/src/diff/diff.engine.js';
import { makeGenerator, type Json, type ResourcePair } from './resource-pairs.js';

export interface BenchRow {
  bench: string;
  engine: string;
  pairs: number;
  opsPerSec: number;
  msPer1k: number;
  note?: string;
}

type MicrodiffChange = { type: 'CREATE' | 'REMOVE' | 'CHANGE'; path: (string | number)[] };
type Microdiff = (a: object, b: object) => MicrodiffChange[];
type Jdp = { diff(a: unknown, b: unknown): unknown };

/** The competing engines are dependencies of the ingest service; resolve them from there. */
async function loadEngines(): Promise<{ microdiff: Microdiff; jsondiffpatch: Jdp }> {
  const require = createRequire(new URL('../services/ingest/package.json', import.meta.url));
  const md = (await import(pathToFileURL(require.resolve('microdiff')).href)) as { default: Microdiff };
  const jdp = (await import(pathToFileURL(require.resolve('jsondiffpatch')).href)) as { create(opts?: object): Jdp };
  return { microdiff: md.default, jsondiffpatch: jdp.create() };
}

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
export function checkAgreement(pairs: ResourcePair[], engines: { microdiff: Microdiff; jsondiffpatch: Jdp }): number {
  let compared = 0;
  for (const [i, p] of pairs.entries()) {
    const ours = diffResource(p.declared, p.actual, { resourceType: p.resourceType, profile: 'generic' }).map((c) => c.path).sort();
    const md = engines.microdiff(p.declared, p.actual).map((c) => '/' + c.path.map(esc).join('/')).sort();
    const jdp = jdpPointers(engines.jsondiffpatch.diff(p.declared, p.actual)).sort();
    if (ours.join('\n') !== md.join('\n') || ours.join('\n') !== jdp.join('\n')) {
      throw new Error(`engines disagree on plain pair ${i}:\n ours ${ours.join(' ')}\n microdiff ${md.join(' ')}\n jsondiffpatch ${jdp.join(' ')}`);
    }
    compared += ours.length;
  }
  return compared;
}

interface Contender {
  engine: string;
  fn: (p: ResourcePair) => unknown;
}

/**
 * Times the contenders on the same pairs. Rounds are interleaved (each round runs every engine,
 * in rotating order) so that machine noise hits all engines alike; the best round counts (noise
 * only ever adds time, so the minimum is the steadiest estimate on a busy machine).
 */
function timeInterleaved(label: string, pairs: ResourcePair[], contenders: Contender[], rounds = 25): BenchRow[] {
  let sink = 0;
  for (let w = 0; w < 5; w++) for (const c of contenders) for (const p of pairs) sink += c.fn(p) ? 1 : 0; // warm-up
  const samples = contenders.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const idx = (r + k) % contenders.length;
      const fn = contenders[idx]!.fn;
      const t0 = process.hrtime.bigint();
      for (const p of pairs) sink += fn(p) ? 1 : 0;
      samples[idx]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  if (sink < 0) console.log(sink);
  return contenders.map((c, i) => {
    const ms = Math.min(...samples[i]!);
    return { bench: label, engine: c.engine, pairs: pairs.length, opsPerSec: Math.round((pairs.length / ms) * 1000), msPer1k: (ms / pairs.length) * 1000 };
  });
}

export async function run(): Promise<BenchRow[]> {
  const engines = await loadEngines();
  const gen = makeGenerator(20261130);
  const plain = gen.plain(2_000);
  const realistic = gen.realistic(5_000);
  const compared = checkAgreement(plain, engines);
  console.log(`diff: the three engines agree on all ${plain.length} plain pairs (${compared} changed leaf pointers compared)`);

  const ours = (p: ResourcePair) => diffResource(p.declared as Json, p.actual as Json, { resourceType: p.resourceType });
  const rows: BenchRow[] = [];
  const contenders: Contender[] = [
    { engine: 'driftguard diffResource', fn: ours },
    { engine: 'microdiff 1.6.0', fn: (p) => engines.microdiff(p.declared, p.actual) },
    { engine: 'jsondiffpatch 0.7.7', fn: (p) => engines.jsondiffpatch.diff(p.declared, p.actual) },
  ];
  for (const [label, pairs] of [['diff: plain objects', plain], ['diff: realistic resources', realistic]] as const) {
    rows.push(...timeInterleaved(label, pairs, contenders));
  }
  for (const label of new Set(rows.map((r) => r.bench))) {
    const group = rows.filter((r) => r.bench === label);
    const fastestOther = Math.min(...group.filter((r) => !r.engine.startsWith('driftguard')).map((r) => r.msPer1k));
    const mine = group.find((r) => r.engine.startsWith('driftguard'))!;
    mine.note = `${(fastestOther / mine.msPer1k).toFixed(2)}× the faster competitor`;
  }
  return rows;
}
