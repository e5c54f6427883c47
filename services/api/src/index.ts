export { createApiService, type ApiDeps } from './service.js';
export { loadApiConfig, apiConfigSchema, type ApiConfig } from './config.js';
export * from './bootstrap/index.js';
export { createUserFromShell, type CreateUserFromShellInput, type CreatedUser } from './identity/shell-users.js';
