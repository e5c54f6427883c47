/**
 * Times one diff engine on one seeded pair set in a fresh process, so that no engine's JIT state
 * (inline caches, hidden-class feedback) is shaped by another's run. Started by diff.bench.ts
 * with the task as JSON in argv; answers over the IPC channel.
 */
import { diffResource } from '../services/ingest/src/diff/diff.engine.js';
import { loadEngines } from './diff.engines.js';
import { makeGenerator, type ResourcePair } from './resource-pairs.js';

export interface WorkerTask {
  engine: 'driftguard' | 'microdiff' | 'jsondiffpatch';
  set: 'plain' | 'realistic';
  seed: number;
  pairs: number;
  rounds: number;
}

const task = JSON.parse(process.argv[2] ?? '{}') as WorkerTask;
const gen = makeGenerator(task.seed);
const pairs: ResourcePair[] = task.set === 'plain' ? gen.plain(task.pairs) : gen.realistic(task.pairs);
const engines = await loadEngines();
const fn: (p: ResourcePair) => unknown =
  task.engine === 'driftguard'
    ? (p) => diffResource(p.declared, p.actual, { resourceType: p.resourceType })
    : task.engine === 'microdiff'
      ? (p) => engines.microdiff(p.declared, p.actual)
      : (p) => engines.jsondiffpatch.diff(p.declared, p.actual);

let sink = 0;
for (let w = 0; w < 5; w++) for (const p of pairs) sink += fn(p) ? 1 : 0; // warm-up
let best = Infinity;
for (let r = 0; r < task.rounds; r++) {
  const t0 = process.hrtime.bigint();
  for (const p of pairs) sink += fn(p) ? 1 : 0;
  best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
}
process.send!({ ms: best, sink });
