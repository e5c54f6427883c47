/**
 * `pnpm bench --soak`: the four services as processes under a steady BENCH_SOAK_RATE drifts/s
 * (200) for BENCH_SOAK_SECONDS (600), spread over 20 environments, each second's drifts new
 * ones. Samples each process's resident set every 10 s and reports, per service, the RSS after
 * the first minute (warm-up), at the end and its least-squares slope, plus whether the pipeline
 * kept up (drifts notified vs submitted when the load stops, and after draining).
 */
import { loadavg } from 'node:os';
import type { BenchRow } from './diff.bench.js';
import { rssMb } from './bench-processes.js';
import { observation, pipelineProgress, startPipeline, submitScan } from './e2e.bench.js';

const SECONDS = Number(process.env['BENCH_SOAK_SECONDS'] ?? 600);
const RATE = Number(process.env['BENCH_SOAK_RATE'] ?? 200);
const ENVIRONMENTS = 20;
const SAMPLE_MS = 10_000;
const WARM_UP_MS = Math.min(60_000, (SECONDS * 1000) / 4);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Slope of y over x (MB per minute when x is minutes), least squares. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

export async function run(): Promise<BenchRow[]> {
  const world = await startPipeline('bench_soak', ENVIRONMENTS);
  try {
    const samples = new Map<string, Array<[number, number]>>(world.services.map((s) => [s.name, []]));
    const t0 = Date.now();
    let submitted = 0;
    let tick = 0;
    let nextSample = t0;
    const pending = new Set<Promise<unknown>>();
    while (Date.now() - t0 < SECONDS * 1000) {
      // One second's drifts: RATE new resources, spread over the environments.
      const perEnv = Math.ceil(RATE / ENVIRONMENTS);
      for (let e = 0; e < ENVIRONMENTS && submitted < (tick + 1) * RATE; e++) {
        const count = Math.min(perEnv, (tick + 1) * RATE - submitted);
        const observations = Array.from({ length: count }, (_, i) => observation(e, tick * perEnv + i));
        const p = submitScan(world, e, observations).finally(() => pending.delete(p));
        pending.add(p);
        submitted += count;
      }
      tick++;
      if (Date.now() >= nextSample) {
        const minutes = (Date.now() - t0) / 60_000;
        for (const s of world.services) samples.get(s.name)!.push([minutes, rssMb(s.pid)]);
        nextSample += SAMPLE_MS;
        console.log(
          `soak  +${(minutes * 60).toFixed(0)} s: ${submitted} submitted; ` +
            world.services.map((s) => `${s.name} ${rssMb(s.pid).toFixed(0)} MB`).join(', '),
        );
      }
      const wait = t0 + tick * 1000 - Date.now();
      if (wait > 0) await sleep(wait);
    }
    await Promise.all(pending);
    const atStop = await pipelineProgress(world.db);
    const drainDeadline = Date.now() + 120_000;
    let drained = atStop;
    while (drained.notified < submitted && Date.now() < drainDeadline) {
      await sleep(1000);
      drained = await pipelineProgress(world.db);
    }
    const perService = world.services.map((s) => {
      const points = samples.get(s.name)!.filter(([m]) => m * 60_000 >= WARM_UP_MS);
      const first = points[0]?.[1] ?? NaN;
      const last = points.at(-1)?.[1] ?? NaN;
      return { name: s.name, warm: first, end: last, slope: slope(points) };
    });
    const memory = perService
      .map(
        (p) => `${p.name} ${p.warm.toFixed(0)}→${p.end.toFixed(0)} MB (${p.slope >= 0 ? '+' : ''}${p.slope.toFixed(2)} MB/min)`,
      )
      .join(', ');
    const note =
      `${RATE} drifts/s for ${SECONDS} s (${submitted.toLocaleString('en-US')} drifts): notified ${atStop.notified.toLocaleString('en-US')} when the load stopped, ` +
      `${drained.notified.toLocaleString('en-US')} after draining; RSS after warm-up → end: ${memory}; load average ${loadavg()[0]?.toFixed(1)}`;
    console.log(`pipeline soak: ${note}`);
    return [
      {
        bench: 'pipeline soak',
        engine: `${RATE} drifts/s steady`,
        pairs: submitted,
        opsPerSec: RATE,
        msPer1k: 1_000_000 / RATE,
        note,
        details: {
          seconds: SECONDS,
          rate: RATE,
          submitted,
          atStop,
          drained,
          memory: perService,
          samples: Object.fromEntries(samples),
        },
      },
    ];
  } finally {
    await world.destroy();
  }
}
