/**
 * A small seeded PRNG (mulberry32) so synthetic data, folds and shuffles are reproducible: the
 * same seed gives the same training set on every machine.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** One key, drawn with the given weights. */
  weighted<K extends string | number>(weights: readonly (readonly [K, number])[]): K;
}

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    chance: (p) => next() < p,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new RangeError('pick from an empty list');
      return item;
    },
    weighted: <K extends string | number>(weights: readonly (readonly [K, number])[]): K => {
      const total = weights.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [k, w] of weights) {
        r -= w;
        if (r < 0) return k;
      }
      const last = weights[weights.length - 1];
      if (!last) throw new RangeError('weighted pick from an empty list');
      return last[0];
    },
  };
}
