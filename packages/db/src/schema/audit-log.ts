import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, nullableDefault, type TableOf } from './columns.js';

/**
 * `audit_log`: Append-only audit trail, partitioned by month on `timestamp`; every unit writes its
 * own rows with writeAudit(). `id` is bigserial, hence a string.
 */
export const auditLogColumns = {
  id: notNullDefault('int8'),
  timestamp: notNullDefault('timestamptz'),
  user_id: nullable('int4'),
  action: notNull('varchar(100)'),
  resource_type: notNull('varchar(50)'),
  resource_id: notNull('int4'),
  old_values: nullable('jsonb'),
  new_values: nullable('jsonb'),
  ip_address: nullable('inet'),
  user_agent: nullable('text'),
  session_id: nullable('varchar(255)'),
  organization_id: nullable('int4'),
  success: nullableDefault('bool'),
  error_message: nullable('text'),
} as const;

export type AuditLogTable = TableOf<typeof auditLogColumns>;
export type AuditLogEntry = Selectable<AuditLogTable>;
export type NewAuditLogEntry = Insertable<AuditLogTable>;
export type AuditLogEntryUpdate = Updateable<AuditLogTable>;
