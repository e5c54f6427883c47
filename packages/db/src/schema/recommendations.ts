import type { Insertable, Selectable, Updateable } from 'kysely';
import { notNull, notNullDefault, nullable, nullableDefault, type TableOf } from './columns.js';

/**
 * `recommendations`: What to do about a drift. Owned by recommender. `status` .. `decision_reason`
 * are the lifecycle columns of migration 0012; `implementation_steps` holds the ordered steps
 * (contracts' `RecommendationStep`: text, command, patch).
 */
export const recommendationsColumns = {
  id: notNullDefault('int4'),
  drift_event_id: nullable('int4'),
  recommendation_type: notNull('varchar(30)', [
    'auto_revert',
    'codify_iac',
    'escalate_review',
    'accept_exception',
    'manual_review',
  ]),
  priority: notNull('varchar(10)', ['low', 'medium', 'high', 'critical']),
  confidence_score: notNull('numeric(3,2)'),
  rationale: notNull('text'),
  implementation_steps: nullableDefault('jsonb'),
  risk_assessment: nullableDefault('jsonb'),
  estimated_effort: nullable('varchar(20)', ['minutes', 'hours', 'days']),
  recommended_by: notNull('varchar(50)'),
  created_at: nullableDefault('timestamptz'),
  expires_at: nullable('timestamptz'),
  implemented_at: nullable('timestamptz'),
  implementation_result: nullable('jsonb'),
  status: notNullDefault('varchar(20)', ['open', 'superseded', 'expired', 'accepted', 'rejected', 'implemented']),
  analysis_version: notNullDefault('int4'),
  superseded_by: nullable('int4'),
  policy_source: nullable('varchar(20)', ['default', 'organization', 'environment']),
  policy_version: nullable('int4'),
  policy_rule: nullable('varchar(100)'),
  status_changed_at: nullable('timestamptz'),
  decided_by: nullable('varchar(255)'),
  decided_at: nullable('timestamptz'),
  decision_reason: nullable('text'),
} as const;

export type RecommendationsTable = TableOf<typeof recommendationsColumns>;
export type Recommendation = Selectable<RecommendationsTable>;
export type NewRecommendation = Insertable<RecommendationsTable>;
export type RecommendationUpdate = Updateable<RecommendationsTable>;
