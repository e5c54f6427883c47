import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, JsonValue } from './schema/index.js';

/** One audited change, written by the unit that made it. */
export interface AuditEntry {
  organizationId: number | null;
  /** What happened, e.g. 'environment.created', 'drift.resolved'. */
  action: string;
  /** The kind of thing changed, e.g. 'environment', 'drift_event'. */
  resourceType: string;
  resourceId: number;
  oldValues?: JsonValue;
  newValues?: JsonValue;
  /** Null or omitted for system actions. */
  userId?: number | null;
  ip?: string | null;
  userAgent?: string | null;
  sessionId?: string | null;
  /** Default true. */
  success?: boolean;
  errorMessage?: string | null;
}

const jsonText = (value: JsonValue | undefined) => (value === undefined ? null : JSON.stringify(value));

const auditRow = (entry: AuditEntry) => ({
  organization_id: entry.organizationId,
  action: entry.action,
  resource_type: entry.resourceType,
  resource_id: entry.resourceId,
  old_values: jsonText(entry.oldValues),
  new_values: jsonText(entry.newValues),
  user_id: entry.userId ?? null,
  ip_address: entry.ip ?? null,
  user_agent: entry.userAgent ?? null,
  session_id: entry.sessionId ?? null,
  success: entry.success ?? true,
  error_message: entry.errorMessage ?? null,
});

/**
 * Appends an audit_log row inside the caller's transaction, so the audit row commits (or rolls
 * back) with the change it describes. Returns the row's id (int8, as a string).
 */
export async function writeAudit(tx: Transaction<Database>, entry: AuditEntry): Promise<string> {
  const row = await tx.insertInto('audit_log').values(auditRow(entry)).returning('id').executeTakeFirstOrThrow();
  return String(row.id);
}

/** Appends several audit_log rows in one statement inside the caller's transaction (a batch of changes). */
export async function writeAudits(tx: Transaction<Database>, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.insertInto('audit_log').values(entries.map(auditRow)).execute();
}

/**
 * Creates the monthly audit_log partitions (UTC months) for this month and `monthsAhead` more,
 * moving rows that fell into the DEFAULT partition into their new month. Idempotent and safe to
 * run from several instances of a scheduled job. Returns the names of partitions it created.
 */
export async function ensureAuditPartitions(db: Kysely<Database>, monthsAhead: number): Promise<string[]> {
  if (!Number.isInteger(monthsAhead) || monthsAhead < 0 || monthsAhead > 120) {
    throw new RangeError(`monthsAhead must be an integer in 0..120, got ${monthsAhead}`);
  }
  const result = await sql<{ name: string }>`SELECT dg_ensure_audit_partitions(${monthsAhead}::integer) AS name`.execute(db);
  return result.rows.map((row) => row.name);
}
