import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, type TableOf } from './columns.js';

/**
 * `scans`: A submitted scan and its processing state. `payload` is the gzip-compressed raw body,
 * kept so a restarted ingest can finish it. Owned by ingest.
 */
export const scansColumns = {
  id: notNull('uuid'),
  organization_id: notNull('int4'),
  environment_id: notNull('int4'),
  format: notNull('varchar(30)'),
  is_full: notNullDefault('bool'),
  scanner: nullable('varchar(255)'),
  source: notNull('varchar(10)', ['http', 'nats', 'cli']),
  status: notNullDefault('varchar(20)', ['accepted', 'processing', 'completed', 'rejected', 'failed']),
  payload: notNull('bytea'),
  payload_sha256: notNull('bytea'),
  resources_seen: notNullDefault('int4'),
  drifts_opened: notNullDefault('int4'),
  drifts_updated: notNullDefault('int4'),
  drifts_resolved: notNullDefault('int4'),
  rejected_items: notNullDefault('jsonb'),
  coverage: nullable('jsonb'),
  error: nullable('jsonb'),
  attempts: notNullDefault('int4'),
  submitted_at: notNullDefault('timestamptz'),
  started_at: nullable('timestamptz'),
  completed_at: nullable('timestamptz'),
  claimed_until: nullable('timestamptz'),
  claimed_by: nullable('varchar(255)'),
  report: notNullDefault('jsonb'),
} as const;

export type ScansTable = TableOf<typeof scansColumns>;
export type Scan = Selectable<ScansTable>;
export type NewScan = Insertable<ScansTable>;
export type ScanUpdate = Updateable<ScansTable>;
