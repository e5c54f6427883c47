import { describe, expect, it } from 'vitest';
import { roundsBy } from './batch-rounds.js';

describe('roundsBy', () => {
  it('puts each key once per round, later events of a key in later rounds, in arrival order', () => {
    const events = [
      { drift: 1, v: 'a' },
      { drift: 2, v: 'b' },
      { drift: 1, v: 'c' },
      { drift: 1, v: 'd' },
      { drift: 3, v: 'e' },
      { drift: 2, v: 'f' },
    ];
    expect(roundsBy(events, (e) => e.drift).map((r) => r.map((e) => e.v))).toEqual([['a', 'b', 'e'], ['c', 'f'], ['d']]);
  });

  it('keeps a batch of distinct keys as one round, and an empty batch as none', () => {
    expect(roundsBy([1, 2, 3], (n) => n)).toEqual([[1, 2, 3]]);
    expect(roundsBy([], (n: number) => n)).toEqual([]);
  });
});
