export { createServiceShell, type ServiceShellOptions } from './service-shell.js';
export type { Service, ServiceContext, ServiceDeps, Worker } from './service-context.js';
