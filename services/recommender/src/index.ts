export { createRecommenderService, type RecommenderDeps } from './service.js';
export { loadRecommenderConfig, recommenderConfigSchema, type RecommenderConfig } from './config.js';
export { recommendationAdoption, type AdoptionOfDay } from './recommendations.queries.js';
export { DEFAULT_POLICY, MANAGED_COUNT_PATHS } from './policy/default-policy.js';
export { expireRecommendations, type ExpiryContext, type ExpiryResult } from './expiry/recommendation-expiry.js';
/** Jobs of the recommender that `dg jobs run <job>` runs once. */
export const RECOMMENDER_JOB_NAMES = ['recommendation-expiry'] as const;
