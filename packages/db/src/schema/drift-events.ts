import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, nullableDefault, type TableOf } from './columns.js';

/**
 * `drift_events`: A drift of one resource, open until `resolved_at`. Owned by ingest, except the
 * score columns (`severity_score`, `confidence_score`, `risk_assessment`), owned by analysis.
 * `fingerprint` .. `scan_id` are lifecycle additions of migration 0002, `resource_key` and
 * `source_scope` of 0005, `observed_at` (when the scanner observed it, not when ingest processed
 * it) of 0007.
 */
export const driftEventsColumns = {
  id: notNullDefault('int4'),
  environment_id: nullable('int4'),
  iac_resource_id: nullable('int4'),
  drift_type: notNull('varchar(50)', ['modified', 'deleted', 'added', 'moved']),
  actual_state: nullable('jsonb'),
  declared_state: nullable('jsonb'),
  detected_at: nullableDefault('timestamptz'),
  resolved_at: nullable('timestamptz'),
  resolution_type: nullable('varchar(20)', ['auto_revert', 'codify_iac', 'accepted', 'escalated']),
  severity_score: nullable('numeric(3,2)'),
  confidence_score: nullable('numeric(3,2)'),
  risk_assessment: nullableDefault('jsonb'),
  tags: nullableDefault('jsonb'),
  metadata: nullableDefault('jsonb'),
  fingerprint: nullable('varchar(64)'),
  last_seen_at: nullable('timestamptz'),
  seen_count: notNullDefault('int4'),
  scan_id: nullable('uuid'),
  resource_key: nullable('varchar(600)'),
  source_scope: nullable('varchar(300)'),
  observed_at: nullable('timestamptz'),
} as const;

export type DriftEventsTable = TableOf<typeof driftEventsColumns>;
export type DriftEvent = Selectable<DriftEventsTable>;
export type NewDriftEvent = Insertable<DriftEventsTable>;
export type DriftEventUpdate = Updateable<DriftEventsTable>;
