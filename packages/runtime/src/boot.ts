/**
 * `@driftguard/runtime/boot`: what a process's `main.ts` needs before its instrumented modules
 * load — config, logger, telemetry, signal handling. Nothing here imports http, pg or fastify,
 * so `startTelemetry()` can register its loader hook first and the service is imported after.
 */
export * from './config/index.js';
export * from './logging/index.js';
export * from './telemetry/index.js';
export * from './lifecycle/index.js';
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
