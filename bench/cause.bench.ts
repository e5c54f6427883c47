/**
 * Latency of one drift cause analysis with the model: feature extraction, the calibrated
 * prediction and the group-ablation contributions (one batched booster call). Trains a model
 * in-process first (no database needed). Goal: p99 < 5 ms.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { analyzeCause, CauseModel, generateScenarios, trainCauseModel } from '../services/analysis/src/ml/index.js';
import type { BenchRow } from './diff.bench.js';

const CALLS = 2000;

export async function run(): Promise<BenchRow[]> {
  const trained = await trainCauseModel({ seed: 42, samples: 1800, folds: 2, evalSamples: 600 });
  const model = await CauseModel.load(trained.artifact, 'bench');
  try {
    const inputs = generateScenarios(4242, CALLS).map((s) => s.input);
    for (const input of inputs.slice(0, 200)) analyzeCause(input, model);
    const times: number[] = [];
    const t0 = performance.now();
    for (const input of inputs) {
      const s = performance.now();
      analyzeCause(input, model);
      times.push(performance.now() - s);
    }
    const total = performance.now() - t0;
    times.sort((a, b) => a - b);
    const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
    const note = `p50 ${pct(0.5).toFixed(3)} ms, p99 ${pct(0.99).toFixed(3)} ms (goal p99 < 5 ms; load average ${loadavg()[0]!.toFixed(1)})`;
    console.log(`cause prediction: ${CALLS} analyses, ${note}`);
    return [
      {
        bench: 'cause prediction',
        engine: 'xgboost (wasm) + contributions',
        pairs: CALLS,
        opsPerSec: Math.round((CALLS / total) * 1000),
        msPer1k: (total / CALLS) * 1000,
        note,
      },
    ];
  } finally {
    model.free();
  }
}
