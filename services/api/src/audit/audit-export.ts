import { Readable } from 'node:stream';
import type { AuditEntryView, AuditFilterQuery } from '@driftguard/contracts';
import { runAsOrg, type Database } from '@driftguard/db';
import { stringify } from 'csv-stringify/sync';
import type { Kysely } from 'kysely';
import { auditEntryView } from './audit-view.js';
import { listAuditRows, type AuditCursor } from './audit.queries.js';

const BATCH = 1_000;

/** Every matching audit row of the organization, newest first, read in keyset batches. */
async function* auditRows(db: Kysely<Database>, orgId: number, filter: AuditFilterQuery): AsyncGenerator<AuditEntryView> {
  let after: AuditCursor | undefined;
  for (;;) {
    // The stream is read after the route returns: each batch names its organization itself.
    const rows = await runAsOrg(orgId, () => listAuditRows(db, orgId, filter, BATCH, after));
    for (const row of rows) yield auditEntryView(row);
    const last = rows.at(-1);
    if (!last || rows.length < BATCH) return;
    after = { timestamp: new Date(last.timestamp), id: String(last.id) };
  }
}

const CSV_OPTIONS = { escape_formulas: true } as const;

const CSV_COLUMNS = [
  'id',
  'timestamp',
  'actor_kind',
  'actor_id',
  'session_id',
  'action',
  'resource_type',
  'resource_id',
  'success',
  'error_message',
  'ip_address',
  'user_agent',
  'old_values',
  'new_values',
] as const;

function csvRecord(e: AuditEntryView): string[] {
  const actor = e.actor;
  const actorId = actor.kind === 'user' ? String(actor.userId) : actor.kind === 'token' ? String(actor.tokenId) : '';
  const json = (v: unknown) => (v === null || v === undefined ? '' : JSON.stringify(v));
  return [
    e.id,
    e.timestamp,
    actor.kind,
    actorId,
    actor.kind === 'user' ? (actor.sessionId ?? '') : '',
    e.action,
    e.resourceType,
    String(e.resourceId),
    String(e.success),
    e.errorMessage ?? '',
    e.ipAddress ?? '',
    e.userAgent ?? '',
    json(e.oldValues),
    json(e.newValues),
  ];
}

/**
 * The audit export as a stream: JSON lines (one AuditEntryView per line, values exactly as
 * stored) or CSV (RFC 4180 via csv-stringify, a header row, old and new values as JSON text). In
 * CSV a field that starts like a spreadsheet formula (`=`, `+`, `-`, `@`, tab, carriage return)
 * gets a leading `'`, so a hostile user agent cannot run as a formula in an auditor's spreadsheet.
 */
export function auditExport(db: Kysely<Database>, orgId: number, filter: AuditFilterQuery, format: 'csv' | 'jsonl'): Readable {
  async function* lines(): AsyncGenerator<string> {
    if (format === 'csv') yield stringify([[...CSV_COLUMNS]]);
    for await (const entry of auditRows(db, orgId, filter)) {
      yield format === 'csv' ? stringify([csvRecord(entry)], CSV_OPTIONS) : `${JSON.stringify(entry)}\n`;
    }
  }
  return Readable.from(lines());
}
