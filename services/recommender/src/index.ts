export { createRecommenderService, type RecommenderDeps } from './service.js';
export { loadRecommenderConfig, recommenderConfigSchema, type RecommenderConfig } from './config.js';
