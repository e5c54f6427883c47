export { createApiService, type ApiDeps } from './service.js';
export type { ChannelAdapters, ChannelTestOutcome } from './config/control-plane.js';
export { loadApiConfig, apiConfigSchema, type ApiConfig } from './config.js';
export * from './bootstrap/index.js';
export { createUserFromShell, type CreateUserFromShellInput, type CreatedUser } from './identity/shell-users.js';
export { dashboardByEnvironment, type EnvironmentDashboard, type SeverityCounts } from './analytics/dashboard.queries.js';
export { driftDetail, type DriftDetail } from './analytics/drift-detail.queries.js';
export {
  listDrifts,
  decodeDriftCursor,
  driftSortOf,
  type DriftCursor,
  type DriftSort,
  type DriftSortKey,
  type DriftFilter,
  type DriftListItem,
  type DriftPage,
} from './analytics/drift-search.queries.js';
export { driftAnalytics, type DriftAnalytics } from './analytics/drift-analytics.queries.js';
export * from './jobs/index.js';
export { seedVolume, type VolumeSeedOptions, type VolumeSeedResult } from './jobs/volume-seed.js';
