import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses } from './problem.js';

declare module 'fastify' {
  interface FastifySchema {
    /**
     * A body read as raw bytes (no JSON parsing, so no body schema): documented in OpenAPI as
     * binary in these media types.
     */
    binaryBody?: { description: string; mediaTypes: readonly string[] };
  }
}

/** The document's shape as `/openapi.json` answers it; the generator guarantees the rest. */
const OpenApiDocument = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

const zodTransform = createJsonSchemaTransform({ skipList: [] });

/**
 * The fastify-type-provider-zod transform, plus `binaryBody`: raw-body routes declare their
 * query, params and responses with zod and their body here, and it becomes a binary requestBody.
 */
const transform: typeof zodTransform = (input) => {
  const out = zodTransform(input);
  const binary = input.schema?.binaryBody;
  if (!binary || !out.schema || out.schema.hide) return out;
  const { binaryBody: _binaryBody, ...schema } = out.schema as typeof out.schema & { binaryBody?: unknown };
  return {
    ...out,
    schema: {
      ...schema,
      body: { type: 'string', format: 'binary', description: binary.description },
      consumes: [...binary.mediaTypes],
    },
  };
};

/**
 * Registers @fastify/swagger (OpenAPI 3.1, schemas from the routes' zod schemas) and serves the
 * document at `GET /openapi.json`. Call before any route is added so every route is seen.
 */
export function installOpenApi(app: FastifyInstance, serviceName: string): void {
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: `DriftGuard ${serviceName}`, version: '1' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'a DriftGuard API token (dg_…)' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'dg_session',
            description: 'a console session (api only); writes also need the X-CSRF-Token header',
          },
        },
      },
    },
    exposeHeadRoutes: true,
    transform,
    transformObject: jsonSchemaTransformObject,
  });
  void app.register(async (scope) => {
    scope.get(
      '/openapi.json',
      { schema: { summary: 'This OpenAPI 3.1 document', response: { 200: OpenApiDocument, ...problemResponses() } } },
      async () => app.swagger(),
    );
  });
}
