import type { AuditActor, AuditEntryView } from '@driftguard/contracts';
import type { AuditLogEntry } from '@driftguard/db';
import { InvalidInputError } from '@driftguard/runtime';
import { TOKEN_SESSION_PREFIX } from './audit-context.js';
import type { AuditCursor } from './audit.queries.js';

function actorOfRow(row: AuditLogEntry): AuditActor {
  if (row.user_id !== null) return { kind: 'user', userId: row.user_id, sessionId: row.session_id };
  const token = row.session_id?.startsWith(TOKEN_SESSION_PREFIX)
    ? Number(row.session_id.slice(TOKEN_SESSION_PREFIX.length))
    : NaN;
  return Number.isSafeInteger(token) ? { kind: 'token', tokenId: token } : { kind: 'system' };
}

/** An audit_log row as the api shows it. */
export function auditEntryView(row: AuditLogEntry): AuditEntryView {
  return {
    id: String(row.id),
    timestamp: new Date(row.timestamp).toISOString(),
    actor: actorOfRow(row),
    action: row.action,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    oldValues: row.old_values,
    newValues: row.new_values,
    ipAddress: row.ip_address,
    userAgent: row.user_agent,
    success: row.success !== false,
    errorMessage: row.error_message,
  };
}

/** Opaque to clients: base64url of `<ISO timestamp>|<id>`. */
export function encodeCursor(row: AuditLogEntry): string {
  return Buffer.from(`${new Date(row.timestamp).toISOString()}|${String(row.id)}`).toString('base64url');
}

export function decodeCursor(cursor: string): AuditCursor {
  const [at = '', id = ''] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const timestamp = new Date(at);
  if (Number.isNaN(timestamp.getTime()) || !/^\d{1,19}$/.test(id)) {
    throw new InvalidInputError('invalid cursor', [{ path: 'query.cursor', message: 'pass nextCursor of a previous page' }]);
  }
  return { timestamp, id };
}
