/**
 * Splits a batch into rounds in which no key appears twice, keeping arrival order within each
 * key: a set-based handler runs the rounds one after another, so the second event about one
 * thing (a drift analysed twice) is handled after the first, against what the first wrote.
 */
export function roundsBy<T, K>(items: readonly T[], keyOf: (item: T) => K): T[][] {
  const rounds: { keys: Set<K>; items: T[] }[] = [];
  for (const item of items) {
    const key = keyOf(item);
    let round = rounds.find((r) => !r.keys.has(key));
    if (!round) {
      round = { keys: new Set(), items: [] };
      rounds.push(round);
    }
    round.keys.add(key);
    round.items.push(item);
  }
  return rounds.map((r) => r.items);
}
