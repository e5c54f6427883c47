/**
 * A value as text the way `String()` writes a scalar (`5`, `true`, `null`, the string itself), but
 * an object or array as its JSON instead of `[object Object]`, so two different objects never
 * read the same.
 */
export function scalarText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return '';
  return JSON.stringify(v);
}
