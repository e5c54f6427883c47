import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AuthError } from '../auth/auth-error.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.js';
import type { Logger } from '../logging/logger.js';

/** RFC 9457 problem details; extension members sit beside the standard ones. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

/** Maps a service's own named errors to a problem; `undefined` leaves the error to the defaults. */
export type ErrorMapper = (error: unknown) => Problem | undefined;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem type URI of a DriftGuard error code (`not_found` → …/problems/not-found). */
export function problemType(code: string): string {
  return `https://driftguard.dev/problems/${code.replaceAll('_', '-')}`;
}

function problem(status: number, code: string, detail?: string, extensions: Record<string, unknown> = {}): Problem {
  return { type: problemType(code), title: STATUS_CODES[status] ?? 'Error', status, ...(detail === undefined ? {} : { detail }), ...extensions };
}

/** The runtime's own named errors, fastify's validation errors and its 4xx errors. */
function knownProblem(error: unknown): Problem | undefined {
  if (error instanceof AuthError) return problem(error.status, error.code, error.message);
  if (error instanceof NotFoundError) return problem(404, error.code, error.message);
  if (error instanceof ConflictError) return problem(409, error.code, error.message);
  if (error instanceof InvalidInputError) return problem(400, error.code, error.message, { errors: error.errors });
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as { validationContext?: string }).validationContext ?? 'body';
    const errors = error.validation.map((v) => ({ in: where, path: v.instancePath || '/', message: v.message ?? 'invalid' }));
    return problem(400, 'invalid_request', `the request ${where} is invalid`, { errors });
  }
  if (isFastifyClientError(error)) return problem(error.statusCode!, (error.code ?? 'bad_request').toLowerCase(), error.message);
  return undefined;
}

function isFastifyClientError(error: unknown): error is FastifyError {
  if (typeof error !== 'object' || error === null || isResponseSerializationError(error)) return false;
  const status = (error as FastifyError).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * The one HTTP error handler: known errors become problem JSON with their status and detail;
 * anything else is logged and answered with a bare 500 whose detail never reaches the client.
 */
export function createErrorHandler(log: Logger, mapError?: ErrorMapper) {
  return function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
    const known = mapError?.(error) ?? knownProblem(error);
    let body: Problem;
    if (known && known.status < 500) {
      body = { ...known, instance: known.instance ?? request.url };
      request.log.info({ status: known.status, type: known.type }, 'request rejected');
    } else {
      const status = known?.status ?? 500;
      body = { type: 'about:blank', title: STATUS_CODES[status] ?? 'Internal Server Error', status, instance: request.url };
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
  const body: Problem = { ...problem(404, 'route_not_found', `no route ${request.method} ${request.url.split('?')[0]}`), instance: request.url };
  return reply.status(404).type(PROBLEM_CONTENT_TYPE).send(body);
}
