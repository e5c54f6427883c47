import type { Insertable, Selectable } from 'kysely';
import { notNull, notNullDefault, nullable, type TableOf } from './columns.js';

/**
 * `recommendation_policies` (migration 0012): an organization's (`environment_id` NULL) or an
 * environment's override of the default recommendation policy, one row per version; the highest
 * version of a scope not retired is active. `document` is a contracts `RecommendationPolicyDocument`. Owned
 * by api; the recommender reads it.
 */
export const recommendationPoliciesColumns = {
  id: notNullDefault('int4'),
  organization_id: notNull('int4'),
  environment_id: nullable('int4'),
  version: notNull('int4'),
  document: notNull('jsonb'),
  created_at: notNullDefault('timestamptz'),
  created_by: nullable('varchar(255)'),
  /** migration 0023: set when the override was removed; a retired version is never active */
  retired_at: nullable('timestamptz'),
} as const;

export type RecommendationPoliciesTable = TableOf<typeof recommendationPoliciesColumns>;
export type RecommendationPolicyRow = Selectable<RecommendationPoliciesTable>;
export type NewRecommendationPolicy = Insertable<RecommendationPoliciesTable>;
