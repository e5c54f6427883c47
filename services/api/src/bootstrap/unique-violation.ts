/** SQLSTATE 23505; node-pg and PGlite both expose `code` and `constraint` on their errors. */
export function uniqueViolation(error: unknown): { constraint: string | undefined } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  if (code !== '23505') return undefined;
  return { constraint: typeof constraint === 'string' ? constraint : undefined };
}
