/**
 * @driftguard/runtime: what every DriftGuard process shares — environment config, logging,
 * telemetry, the HTTP server with health, readiness and metrics, token auth, graceful shutdown
 * and the service shell that composes them.
 */
// Everything a main.ts needs before instrumented modules load (config, logging, telemetry,
// lifecycle, the named errors), then what serves and composes a service.
export * from './boot.js';
export * from './http/index.js';
export * from './auth/index.js';
export * from './service/index.js';
export * from './net/index.js';
