/** The recommender's message handlers, one per subject. */
export { driftAnalyzedV1, RECOMMENDED_BY, type DriftAnalyzedDeps } from './drift.analyzed.v1.js';
export { driftResolvedV1 } from './drift.resolved.v1.js';
export { cmdRecommendationRespondV1 } from './cmd.recommendation.respond.v1.js';
