import { DeclaredUploadAnswer, DeclaredUploadParams, Role } from '@driftguard/contracts';
import { enterOrg, type Database } from '@driftguard/db';
import {
  assertEnvironmentAccess,
  InvalidInputError,
  NotFoundError,
  principalOf,
  problemResponses,
  requireToken,
  UnprocessableInputError,
  type HttpApp,
  type Logger,
} from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { DeclaredFormatError } from './declared-format.error.js';
import { DECLARED_FORMATS, type DeclaredFormat } from './declared-resource.js';
import { findRepository } from './iac-repositories.queries.js';
import { replaceDeclaredResources } from './iac-resources.queries.js';
import { readDeclared } from './read-declared.js';
import { DECLARED_LIMITS } from '../limits.js';

export interface DeclaredRoutesOptions {
  db: Kysely<Database>;
  log: Logger;
}

/** Largest upload on the wire, compressed or not. */
export const MAX_DECLARED_UPLOAD_BYTES = DECLARED_LIMITS.maxUploadBytes;

const UPLOAD_ROLES = [Role.enum.scanner, Role.enum.engineer, Role.enum.admin];

const Query = z.object({ format: z.enum(DECLARED_FORMATS as [DeclaredFormat, ...DeclaredFormat[]]).optional() });
const RepositoryId = z.coerce.number().int().positive().max(2_147_483_647);

/**
 * `PUT /v1/repositories/:repositoryId/declared`: replaces a repository's declared state with an
 * uploaded one (tfstate or `terraform show -json` for terraform repositories, manifests for
 * kubernetes, a template for cloudformation; raw, optionally gzip). Every body in this plugin is
 * read as bytes. Another organization's repository is answered like a missing one (404).
 */
export async function declaredRoutes(app: HttpApp, opts: DeclaredRoutesOptions): Promise<void> {
  const log = opts.log.child({ subsystem: 'ingest:declared' });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_DECLARED_UPLOAD_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  app.put(
    '/v1/repositories/:repositoryId/declared',
    {
      bodyLimit: MAX_DECLARED_UPLOAD_BYTES,
      config: { bodyLimitName: 'maxUploadBytes' },
      preHandler: requireToken({ roles: UPLOAD_ROLES }),
      schema: {
        summary: "Replace a repository's declared state with an uploaded one",
        security: [{ bearer: [] }],
        params: DeclaredUploadParams,
        querystring: Query,
        binaryBody: {
          description: 'tfstate, terraform show -json, manifests or a template; optionally gzip',
          mediaTypes: ['application/octet-stream', 'application/json', 'text/yaml'],
        },
        response: { 200: DeclaredUploadAnswer, ...problemResponses(401, 403, 404, 413, 422) },
      },
    },
    async (req) => {
      const principal = principalOf(req);
      enterOrg(principal.orgId);
      const repositoryId = RepositoryId.safeParse(req.params.repositoryId);
      const repository = repositoryId.success ? await findRepository(opts.db, repositoryId.data) : undefined;
      if (!repository || repository.organizationId !== principal.orgId) {
        throw new NotFoundError(`no IaC repository ${req.params.repositoryId} in your organization`, {
          code: 'repository_not_found',
        });
      }
      assertEnvironmentAccess(principal, repository.environmentId, `repository ${repository.id}`);

      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (body.length === 0) {
        throw new InvalidInputError(
          `send the ${repository.tool} declared state as the request body`,
          [{ path: '', message: 'the body is empty' }],
          { code: 'empty_body' },
        );
      }
      const format = req.query.format;
      let read;
      try {
        read = readDeclared({ tool: repository.tool, bytes: body, ...(format ? { format } : {}) });
      } catch (err) {
        if (err instanceof DeclaredFormatError)
          log.info(
            { repositoryId: repository.id, format: err.format, code: err.code, path: err.path },
            'declared state rejected',
          );
        throw err;
      }
      // An upload of which nothing could be read would replace the declared state with nothing.
      if (read.resources.length === 0 && read.rejected.length > 0) {
        log.info({ repositoryId: repository.id, rejected: read.rejected.length }, 'declared state rejected: nothing readable');
        throw new UnprocessableInputError(
          `no document of the upload is ${repository.tool} declared state (${read.rejected.length} rejected, first at ${read.rejected[0]!.path || '/'}: ${read.rejected[0]!.reason}); the declared state is left as it was`,
          'nothing_readable',
          { extensions: { errors: read.rejected.slice(0, 100).map((r) => ({ path: r.path, message: r.reason })) } },
        );
      }
      const counts = await opts.db.transaction().execute((tx) =>
        replaceDeclaredResources(tx, repository.id, read.resources, {
          source: 'upload',
          details: { tokenId: principal.tokenId, rejected: read.rejected.length, ...(format ? { format } : {}) },
        }),
      );
      log.info({ ...counts, rejected: read.rejected.length, tokenId: principal.tokenId }, 'declared state replaced');
      const { added, updated, unchanged, removed, total } = counts;
      return { repositoryId: repository.id, added, updated, unchanged, removed, total, rejected: read.rejected };
    },
  );
}
Object.defineProperty(declaredRoutes, Symbol.for('fastify.display-name'), { value: 'ingest-declared-routes' });
