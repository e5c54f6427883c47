import type { AuditFilterQuery } from '@driftguard/contracts';
import { forOrg, type AuditLogEntry, type Database } from '@driftguard/db';
import { sql, type Kysely } from 'kysely';
import { TOKEN_SESSION_PREFIX } from './audit-context.js';

/** Where a page of audit rows starts: after this row, newest first. */
export interface AuditCursor {
  timestamp: Date;
  id: string;
}

/**
 * A page of the organization's audit rows matching `filter`, newest first (timestamp, then id),
 * strictly after `after`. Keyset pagination: stable while rows are appended, cheap at any depth.
 */
export function listAuditRows(
  db: Kysely<Database>,
  orgId: number,
  filter: AuditFilterQuery,
  limit: number,
  after?: AuditCursor,
): Promise<AuditLogEntry[]> {
  return forOrg(db, orgId)
    .selectFrom('audit_log')
    .selectAll()
    .$if(filter.action !== undefined, (q) => q.where('action', '=', filter.action ?? ''))
    .$if(filter.resourceType !== undefined, (q) => q.where('resource_type', '=', filter.resourceType ?? ''))
    .$if(filter.resourceId !== undefined, (q) => q.where('resource_id', '=', filter.resourceId ?? 0))
    .$if(filter.userId !== undefined, (q) => q.where('user_id', '=', filter.userId ?? 0))
    .$if(filter.tokenId !== undefined, (q) => q.where('session_id', '=', `${TOKEN_SESSION_PREFIX}${filter.tokenId ?? 0}`))
    .$if(filter.success !== undefined, (q) => q.where('success', '=', filter.success ?? true))
    .$if(filter.since !== undefined, (q) => q.where('timestamp', '>=', new Date(filter.since ?? 0)))
    .$if(filter.until !== undefined, (q) => q.where('timestamp', '<', new Date(filter.until ?? 0)))
    .$if(after !== undefined, (q) =>
      q.where(sql<boolean>`(timestamp, id) < (${after?.timestamp ?? new Date(0)}::timestamptz, ${after?.id ?? '0'}::bigint)`),
    )
    .orderBy('timestamp', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
