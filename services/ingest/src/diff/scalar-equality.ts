/**
 * Scalars that providers stringify are compared by meaning: "80" == 80, "1.0" == 1,
 * "true" == true. Two strings are compared as written ("1.10" and "1.1" are different versions).
 */
const NUMERIC = /^\s*-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

export function numberEqualsString(n: number, s: string): boolean {
  return NUMERIC.test(s) && Number(s) === n;
}

export function booleanEqualsString(b: boolean, s: string): boolean {
  return b ? s === 'true' : s === 'false';
}

/** Called only when a !== b. */
export function scalarsEquivalent(a: unknown, b: unknown): boolean {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === tb) return false;
  if (ta === 'number') return tb === 'string' && numberEqualsString(a as number, b as string);
  if (tb === 'number') return ta === 'string' && numberEqualsString(b as number, a as string);
  if (ta === 'boolean') return tb === 'string' && booleanEqualsString(a as boolean, b as string);
  if (tb === 'boolean') return ta === 'string' && booleanEqualsString(b as boolean, a as string);
  return false;
}
