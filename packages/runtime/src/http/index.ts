export { createHttpServer, type HttpApp, type HttpServer, type HttpServerOptions } from './http-server.js';
export { createMetrics, type Metrics } from './metrics.js';
export {
  createErrorHandler,
  problemOf,
  problemResponses,
  problemType,
  PROBLEM_CONTENT_TYPE,
  type ErrorMapper,
  type Problem,
} from './problem.js';
export { runReadinessChecks, type ReadinessCheck, type ReadinessReport, type CheckStatus } from './readiness.js';
export { parseJsonBody, parseJsonText } from './json-body.js';
