export { createRecommenderService, type RecommenderDeps } from './service.js';
export { loadRecommenderConfig, recommenderConfigSchema, type RecommenderConfig } from './config.js';
export { recommendationAdoption, type AdoptionOfDay } from './recommendations.queries.js';
export { DEFAULT_POLICY, MANAGED_COUNT_PATHS } from './policy/default-policy.js';
