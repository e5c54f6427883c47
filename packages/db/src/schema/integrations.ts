import type { Insertable, Selectable } from 'kysely';
import { notNull, notNullDefault, type TableOf } from './columns.js';

/**
 * `integrations` (migration 0010): a source that signs its context deliveries (GitHub,
 * PagerDuty) for one environment. Owned by api; ingest reads it to check signatures.
 * `secret_encrypted` holds encryptSecret() output, `key_id` the master key that encrypted it.
 */
export const integrationsColumns = {
  id: notNullDefault('uuid'),
  organization_id: notNull('int4'),
  environment_id: notNull('int4'),
  source: notNull('varchar(30)', ['github', 'pagerduty', 'slack']),
  secret_encrypted: notNull('bytea'),
  key_id: notNull('varchar(64)'),
  created_at: notNullDefault('timestamptz'),
} as const;

export type IntegrationsTable = TableOf<typeof integrationsColumns>;
export type Integration = Selectable<IntegrationsTable>;
export type NewIntegration = Insertable<IntegrationsTable>;
