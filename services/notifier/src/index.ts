export { createNotifierService, type NotifierDeps } from './service.js';
export { loadNotifierConfig, notifierConfigSchema, type NotifierConfig } from './config.js';
