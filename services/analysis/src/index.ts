export { createAnalysisService, type AnalysisDeps } from './service.js';
export { loadAnalysisConfig, analysisConfigSchema, type AnalysisConfig } from './config.js';
