export { createOrganization, type CreateOrganizationInput, type OrganizationRef } from './organizations.js';
export { createEnvironment, listEnvironments, type CreateEnvironmentInput, type EnvironmentRef } from './environments.js';
export { createApiToken, DEFAULT_TOKEN_LIFETIME, type CreateApiTokenInput, type CreatedApiToken } from './tokens.js';
export { parseDuration } from './duration.js';
export {
  createRepository,
  repositoryCredentialsContext,
  type CreateRepositoryInput,
  type RepositoryRef,
} from './repositories.js';
export { createIntegration, integrationSecretContext, type CreateIntegrationInput, type IntegrationRef } from './integrations.js';
export {
  setRecommendationPolicy,
  showRecommendationPolicy,
  retireRecommendationPolicy,
  type SetRecommendationPolicyInput,
  type RecommendationPolicyScope,
  type RecommendationPolicyRef,
} from './recommendation-policies.js';
export {
  createChannel,
  listChannels,
  removeChannel,
  type ChannelConfigValidator,
  type ChannelRef,
  type CreateChannelInput,
} from './channels.js';
export { createRoute, listRoutes, type CreateRouteInput, type RouteRef } from './routes.js';
export { inTransaction, writeOwnAudit, type AuditWriter } from './transaction.js';
