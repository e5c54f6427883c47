export { ConfigError, type ConfigIssue } from './config-error.js';
export { parseConfig, type Env } from './parse-config.js';
export { baseConfigSchema, portVar, urlVar, requireMasterKeyInProduction, type BaseConfig } from './base-config.js';
