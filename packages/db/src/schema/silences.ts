import type { Insertable, Selectable } from 'kysely';
import { notNull, notNullDefault, nullable, type TableOf } from './columns.js';

/**
 * `silences` (migration 0013): Alertmanager-style matchers that suppress non-critical
 * notifications from `starts_at` to `ends_at`. Owned by notifier (written from cmd.silence.create).
 */
export const silencesColumns = {
  id: notNullDefault('int4'),
  organization_id: notNull('int4'),
  matchers: notNull('jsonb'),
  starts_at: notNull('timestamptz'),
  ends_at: notNull('timestamptz'),
  created_by: notNull('varchar(255)'),
  comment: notNull('text'),
  source_message_id: nullable('uuid'),
  created_at: notNullDefault('timestamptz'),
} as const;

export type SilencesTable = TableOf<typeof silencesColumns>;
export type Silence = Selectable<SilencesTable>;
export type NewSilence = Insertable<SilencesTable>;
