/**
 * @driftguard/runtime: what every DriftGuard process shares — environment config, logging,
 * telemetry, the HTTP server with health, readiness and metrics, token auth, graceful shutdown
 * and the service shell that composes them.
 */
export * from './config/index.js';
export * from './logging/index.js';
export * from './telemetry/index.js';
export * from './http/index.js';
export * from './auth/index.js';
export * from './lifecycle/index.js';
export * from './service/index.js';
export * from './net/index.js';
export {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  PayloadTooLargeError,
  ProblemError,
  UnprocessableInputError,
  UnsupportedMediaTypeError,
  type FieldError,
  type ProblemErrorOptions,
} from './errors.js';
