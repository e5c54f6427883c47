import { STATUS_CODES } from 'node:http';
import { Problem, PROBLEM_CONTENT_TYPE, problemType } from '@driftguard/contracts';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AuthError } from '../auth/auth-error.js';
import { PayloadTooLargeError, ProblemError, UnsupportedMediaTypeError } from '../errors.js';
import type { Logger } from '../logging/logger.js';

export { PROBLEM_CONTENT_TYPE, problemType, type Problem };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Name of the route's body limit in a 413 problem (`scan_body_bytes`); `request_body_bytes` otherwise. */
    bodyLimitName?: string;
  }
}

/** Turns a service's own named errors into a `ProblemError`; `undefined` leaves the error to the defaults. */
export type ErrorMapper = (error: unknown) => ProblemError | undefined;

/** fastify's own client errors, as named errors. */
function fromFastify(error: unknown, request: FastifyRequest): ProblemError | undefined {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = error.validationContext ?? 'body';
    const where = context === 'querystring' ? 'query' : context;
    const errors = error.validation.map((v) => ({
      path: `${where}${v.instancePath.replaceAll('/', '.')}` || where,
      message: v.message ?? 'invalid',
    }));
    const detail = `the request ${where} is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`;
    return new ProblemError(400, 'invalid_request', detail, { extensions: { errors } });
  }
  if (!isFastifyClientError(error)) return undefined;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const max = request.routeOptions.bodyLimit;
    const limit = request.routeOptions.config.bodyLimitName ?? 'request_body_bytes';
    return new PayloadTooLargeError(limit, max, `the request body exceeds the ${max}-byte limit (${limit})`);
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new UnsupportedMediaTypeError(error.message);
  return new ProblemError(error.statusCode!, (error.code ?? 'bad_request').toLowerCase().replace(/^fst_err_/, ''), error.message);
}

function isFastifyClientError(error: unknown): error is FastifyError {
  if (typeof error !== 'object' || error === null || isResponseSerializationError(error)) return false;
  const status = (error as FastifyError).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** The problem document of a named error, for the request it answers. */
export function problemOf(error: ProblemError, instance: string): Problem {
  return {
    ...error.extensions,
    type: problemType(error.code),
    title: error.title ?? STATUS_CODES[error.status] ?? 'Error',
    status: error.status,
    detail: error.message,
    instance,
    code: error.code,
  };
}

/**
 * The one HTTP error handler: named errors (`ProblemError` and its kinds, the service's own via
 * `mapError`, fastify's validation and client errors) become problem JSON with their status and
 * detail; anything else is logged and answered 500 with a detail that reveals nothing.
 */
export function createErrorHandler(log: Logger, mapError?: ErrorMapper) {
  return function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
    const instance = request.url;
    const known = mapError?.(error) ?? (error instanceof ProblemError ? error : fromFastify(error, request));
    let body: Problem;
    if (known && known.status < 500) {
      body = problemOf(known, instance);
      request.log.info({ status: known.status, type: body.type }, 'request rejected');
    } else {
      body = problemOf(new ProblemError(500, 'internal_error', 'the request failed; the service logged why'), instance);
      log.error({ err: error, method: request.method, url: request.url }, 'request failed');
    }
    if (error instanceof AuthError && body.status === 401) {
      reply.header('www-authenticate', `Bearer error="${error.code === 'missing_token' ? 'invalid_request' : 'invalid_token'}"`);
    }
    return reply.status(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
  };
}

/** 404 for unknown routes, in the same shape as every other error. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  const body = problemOf(
    new ProblemError(404, 'route_not_found', `no route ${request.method} ${request.url.split('?')[0]}`),
    request.url,
  );
  return reply.status(404).type(PROBLEM_CONTENT_TYPE).send(body);
}

/**
 * Response schemas of problem answers for a route's `schema.response`, e.g.
 * `{ 200: Body, ...problemResponses(401, 403, 404) }`. Every route also gets 400 and 500.
 */
export function problemResponses(...statuses: number[]) {
  const all = [...new Set([400, ...statuses, 500])].sort((a, b) => a - b);
  return Object.fromEntries(
    all.map((status) => [
      status,
      {
        description: `${STATUS_CODES[status] ?? 'Error'} (RFC 9457 problem details)`,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: Problem } },
      },
    ]),
  );
}
