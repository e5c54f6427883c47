/**
 * What ingest stores and publishes in place of a secret (services/ingest/src/sensitivity,
 * SENSITIVE_MARKER). Generated code never carries it as a value: it becomes a reference to a
 * variable, a Secret or a secrets-manager entry.
 */
export const SENSITIVE_MASK = '(sensitive)';

export const isMasked = (v: unknown): boolean => v === SENSITIVE_MASK;

/** Whether a value holds a masked secret anywhere. */
export function containsMasked(v: unknown): boolean {
  if (isMasked(v)) return true;
  if (Array.isArray(v)) return v.some(containsMasked);
  if (typeof v === 'object' && v !== null) return Object.values(v).some(containsMasked);
  return false;
}

/** A lowercase identifier from free text: `module.db.aws_db_instance.main` + `/password` → `db_main_password`. */
export function identifierOf(...parts: string[]): string {
  const id = parts
    .join('_')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  return /^[a-z]/.test(id) ? id : `v_${id}`;
}
