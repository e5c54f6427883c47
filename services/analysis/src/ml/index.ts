/**
 * The drift cause model: features, synthetic scenarios, training, registry and prediction.
 * Handlers call `analyzeCause` with the active model (`loadActiveCauseModel`, or null → rules).
 */
export type {
  CauseInput,
  CauseActor,
  IncidentSignal,
  AlertSignal,
  DeploymentSignal,
  MaintenanceSignal,
  CommitSignal,
} from '../cause/cause-input.js';
export { extractFeatures, evidenceOf, baselineFeatures } from '../cause/cause-features.js';
export {
  FEATURE_NAMES,
  FEATURE_GROUPS,
  encodeFeatures,
  type CauseFeatures,
  type FeatureName,
  type FeatureGroup,
} from '../cause/feature-names.js';
export { analyzeCause, UNKNOWN_MAX_CONFIDENCE, type CauseAnalysis } from '../cause/cause.analyzer.js';
export { CAUSE_RULES, applyRules } from '../cause/cause-rules.js';
export { generateScenarios, type LabelledScenario } from '../cause/scenario.generator.js';
export { HAND_WRITTEN, type HandWrittenScenario } from '../cause/hand-written.scenarios.js';
export { CauseModel, type FeatureContribution, type ModelPrediction } from './cause-model.js';
export { trainCauseModel, type TrainOptions, type TrainingReport, type TrainedCauseModel } from './cause-model.trainer.js';
export {
  registerCauseModel,
  loadActiveCauseModel,
  artifactOf,
  CAUSE_MODEL_NAME,
  KEEP_VERSIONS,
  type Registration,
} from './cause-model.registry.js';
export { listModelVersions, findActiveModel } from './ml-models.queries.js';
export { latestModelEvaluation } from './ml-performance-metrics.queries.js';
export { recordCausePrediction } from './ml-predictions.queries.js';
export { confirmedLabels } from './training-labels.queries.js';
export { CLASSES, CONFIRMED_LABEL_WEIGHT, type ConfirmedLabel } from './training-data.js';
export { formatTrainingReport } from './training-report.format.js';
export { upsertDriftCause } from './drift-cause-analysis.queries.js';
