import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { Role } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import type { Logger } from '@driftguard/runtime';
import { sendProblem } from '../http/problem.js';
import { DeclaredFormatError, type DeclaredFormatErrorCode } from './declared-format.error.js';
import { DECLARED_FORMATS, type DeclaredFormat } from './declared-resource.js';
import { findRepository } from './iac-repositories.queries.js';
import { RepositoryNotFoundError, replaceDeclaredResources } from './iac-resources.queries.js';
import { readDeclared } from './read-declared.js';
import { DECLARED_LIMITS } from '../limits.js';

/** Who a token speaks for (the runtime's token verifier returns this). */
export interface DeclaredPrincipal {
  tokenId: number;
  orgId: number;
  envId: number | null;
  role: string;
}

/** Verifies an Authorization header; throws an error whose `code` says why (→ 401). */
export type DeclaredVerifier = (authorization: string | undefined) => Promise<DeclaredPrincipal>;

/** `verifier` and `verify` are the same option under two names; pass one. */
export type DeclaredRoutesOptions = { db: Kysely<Database>; log: Logger } & ({ verifier: DeclaredVerifier } | { verify: DeclaredVerifier });

/** Largest upload on the wire, compressed or not. */
export const MAX_DECLARED_UPLOAD_BYTES = DECLARED_LIMITS.maxUploadBytes;

const UPLOAD_ROLES = new Set<string>([Role.enum.scanner, Role.enum.engineer, Role.enum.admin]);

const Params = z.object({ repositoryId: z.coerce.number().int().positive().max(2_147_483_647) });
const Query = z.object({ format: z.enum(DECLARED_FORMATS as [DeclaredFormat, ...DeclaredFormat[]]).optional() });

const STATUS_OF: Record<DeclaredFormatErrorCode, number> = {
  malformed_json: 400,
  malformed_yaml: 400,
  invalid_encoding: 400,
  too_deep: 400,
  forbidden_key: 400,
  wrong_format: 422,
  invalid_structure: 422,
  too_large: 413,
  too_many: 422,
  duplicate_key: 400,
  unrepresentable_value: 422,
};

/**
 * `PUT /v1/repositories/:repositoryId/declared`: replaces a repository's declared state with an
 * uploaded one (tfstate or `terraform show -json` for terraform repositories, manifests for
 * kubernetes, a template for cloudformation; raw, optionally gzip). Every body in this plugin is
 * read as bytes. Another organization's repository is answered like a missing one (404).
 */
export async function declaredRoutes(app: FastifyInstance, opts: DeclaredRoutesOptions): Promise<void> {
  const log = opts.log.child({ subsystem: 'ingest:declared' });
  const verify = 'verifier' in opts ? opts.verifier : opts.verify;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_DECLARED_UPLOAD_BYTES }, (_req, body, done) => done(null, body));

  app.put('/v1/repositories/:repositoryId/declared', { bodyLimit: MAX_DECLARED_UPLOAD_BYTES }, async (req, reply) => {
    const principal = await authenticate(req, reply, verify);
    if (!principal) return reply;

    const params = Params.safeParse(req.params);
    const repository = params.success ? await findRepository(opts.db, params.data.repositoryId) : undefined;
    if (!repository || repository.organizationId !== principal.orgId) {
      const id = (req.params as { repositoryId?: string }).repositoryId;
      return sendProblem(reply, { status: 404, type: problemType('repository_not_found'), title: 'Repository not found', detail: `no IaC repository ${id} in your organization` });
    }
    if (principal.envId !== null && principal.envId !== repository.environmentId) {
      return sendProblem(reply, { status: 403, type: problemType('forbidden'), title: 'Forbidden', detail: `this token is scoped to another environment than repository ${repository.id}` });
    }

    const query = Query.safeParse(req.query);
    if (!query.success) {
      const errors = query.error.issues.map((i) => ({ path: `query.${i.path.join('.')}`, message: i.message }));
      return sendProblem(reply, { status: 400, type: problemType('invalid_request'), title: 'Invalid declared-state parameters', detail: errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors });
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (body.length === 0) {
      return sendProblem(reply, { status: 400, type: problemType('empty_body'), title: 'Empty declared state', detail: `send the ${repository.tool} declared state as the request body`, errors: [{ path: '', message: 'the body is empty' }] });
    }

    let read;
    try {
      read = readDeclared({ tool: repository.tool, bytes: body, ...(query.data.format ? { format: query.data.format } : {}) });
    } catch (err) {
      if (!(err instanceof DeclaredFormatError)) throw err;
      log.info({ repositoryId: repository.id, format: err.format, code: err.code, path: err.path }, 'declared state rejected');
      return sendProblem(reply, formatProblem(err));
    }

    try {
      const counts = await opts.db.transaction().execute((tx) =>
        replaceDeclaredResources(tx, repository.id, read.resources, {
          source: 'upload',
          details: { tokenId: principal.tokenId, rejected: read.rejected.length, ...(query.data.format ? { format: query.data.format } : {}) },
        }),
      );
      log.info({ ...counts, rejected: read.rejected.length, tokenId: principal.tokenId }, 'declared state replaced');
      return reply.code(200).send({
        repositoryId: repository.id,
        added: counts.added,
        updated: counts.updated,
        unchanged: counts.unchanged,
        removed: counts.removed,
        total: counts.total,
        rejected: read.rejected,
      });
    } catch (err) {
      if (!(err instanceof RepositoryNotFoundError)) throw err;
      // deleted between the lookup and the write
      return sendProblem(reply, { status: 404, type: problemType('repository_not_found'), title: 'Repository not found', detail: err.message });
    }
  });
}
Object.defineProperty(declaredRoutes, Symbol.for('fastify.display-name'), { value: 'ingest-declared-routes' });

function formatProblem(err: DeclaredFormatError) {
  const where = err.line === undefined ? '' : ` (line ${err.line}${err.column === undefined ? '' : `, column ${err.column}`})`;
  return {
    status: STATUS_OF[err.code],
    type: problemType(`declared_${err.code}`),
    title: `Invalid ${err.format} declared state`,
    detail: `${err.format}: ${err.path === '' ? '' : `${err.path}: `}${err.message}${err.message.includes('line') ? '' : where}`,
    code: err.code,
    format: err.format,
    errors: [{ path: err.path, message: err.message, ...(err.line === undefined ? {} : { line: err.line, column: err.column }) }],
  };
}

function problemType(code: string): string {
  return `https://driftguard.dev/problems/${code.replaceAll('_', '-')}`;
}

async function authenticate(req: FastifyRequest, reply: FastifyReply, verify: DeclaredVerifier): Promise<DeclaredPrincipal | undefined> {
  let principal: DeclaredPrincipal;
  try {
    principal = await verify(req.headers.authorization);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !['missing_token', 'invalid_token', 'expired_token', 'revoked_token', 'forbidden'].includes(code)) throw err;
    const status = code === 'forbidden' ? 403 : 401;
    reply.header('www-authenticate', `Bearer error="${code === 'missing_token' ? 'invalid_request' : 'invalid_token'}"`);
    sendProblem(reply, { status, type: problemType(code), title: status === 401 ? 'Unauthorized' : 'Forbidden', detail: (err as Error).message, code });
    return undefined;
  }
  if (!UPLOAD_ROLES.has(principal.role)) {
    sendProblem(reply, { status: 403, type: problemType('forbidden'), title: 'Forbidden', detail: `a ${principal.role} token cannot upload declared state` });
    return undefined;
  }
  return principal;
}
