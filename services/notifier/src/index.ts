export { createNotifierService, defaultAdapters, type NotifierDeps } from './service.js';
export { registerAdapter, type RegisteredAdapter } from './delivery/channel-registry.js';
export { loadNotifierConfig, notifierConfigSchema, type NotifierConfig } from './config.js';
export { sendChannelTest } from './channel-test.js';
export { channelAdapters, secretFieldsOf } from './channels/index.js';
