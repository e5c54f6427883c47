import { logLoss } from './classification.metrics.js';

/**
 * Temperature scaling (Guo et al., 2017): p_i ∝ exp(log p_i / T). One parameter, fitted on
 * out-of-fold predictions the booster never trained on, so it corrects the booster's over- or
 * under-confidence without changing which class wins.
 */
export function applyTemperature(probs: readonly number[], temperature: number): number[] {
  const logits = probs.map((p) => Math.log(Math.max(1e-12, p)) / temperature);
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const sum = exps.reduce((s, e) => s + e, 0);
  return exps.map((e) => e / sum);
}

/** The temperature in [0.2, 10] minimizing log-loss on held-out predictions (golden-section search on log T). */
export function fitTemperature(probs: readonly number[][], labels: readonly number[]): number {
  const loss = (logT: number) =>
    logLoss(
      probs.map((p) => applyTemperature(p, Math.exp(logT))),
      labels,
    );
  const phi = (Math.sqrt(5) - 1) / 2;
  let lo = Math.log(0.2);
  let hi = Math.log(10);
  let a = hi - phi * (hi - lo);
  let b = lo + phi * (hi - lo);
  let fa = loss(a);
  let fb = loss(b);
  for (let i = 0; i < 40; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = loss(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = loss(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}
