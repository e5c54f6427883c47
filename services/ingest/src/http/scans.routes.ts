import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { ScanFormat } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import { ScanFormatError } from '../model/observation.js';
import { acceptScan } from '../scans/scan.intake.js';
import { getScan } from '../scans/scans.queries.js';
import { sendProblem } from './problem.js';
import { readScanBody, ScanBodyError } from './scan-body.js';
import type { ScanParsePool } from '../scans/scan-parse.pool.js';
import { resolveEnvironment, type Principal, type Verify } from './principal.js';

export interface ScanRoutesOptions {
  db: Kysely<Database>;
  verify: Verify;
  /** Where scan bodies are parsed, off the event loop. */
  pool: ScanParsePool;
  /** Called after a scan is recorded, to wake the processor. */
  onAccepted?: () => void;
}

const SubmitQuery = z.object({
  format: ScanFormat,
  full: z.enum(['true', 'false', '1', '0']).optional(),
  scanner: z.string().max(255).optional(),
  env: z.string().regex(/^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/i, 'expected <org>/<env>').optional(),
});

const SCAN_ROLES = new Set(['scanner', 'engineer', 'admin']);
const READ_ROLES = new Set(['scanner', 'engineer', 'admin', 'viewer']);

const STATUS_OF_FORMAT_ERROR: Record<ScanFormatError['code'], number> = {
  malformed_json: 400,
  too_deep: 400,
  forbidden_key: 400,
  wrong_format: 422,
  invalid_structure: 422,
  too_large: 413,
  too_many: 422,
  duplicate_key: 400,
  unrepresentable_value: 422,
};

/** POST /v1/scans and GET /v1/scans/:id, in a scope that reads every body as raw bytes. */
export async function scanRoutes(app: FastifyInstance, opts: ScanRoutesOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  // The body stays a stream: it is read after authentication, inflated and bounded as it arrives.
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  app.post('/v1/scans', async (req, reply) => {
    const principal = await authenticate(req, reply, opts.verify, SCAN_ROLES);
    if (!principal) return reply;
    const q = SubmitQuery.safeParse(req.query);
    if (!q.success) {
      return sendProblem(reply, {
        status: 400,
        title: 'Invalid scan parameters',
        detail: q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        errors: q.error.issues.map((i) => ({ path: `query.${i.path.join('.')}`, message: i.message })),
      });
    }
    const env = await resolveEnvironment(opts.db, principal, q.data.env);
    if (!env.ok) return sendProblem(reply, env.problem);
    let body: Buffer;
    try {
      body = await readScanBody(isStream(req.body) ? req.body : noBody(), req.headers['content-encoding']);
    } catch (err) {
      if (!(err instanceof ScanBodyError)) throw err;
      // A body cut short is not read further: close the connection rather than drain it.
      if (err.code === 'too_large') reply.header('connection', 'close');
      return sendProblem(reply, {
        status: err.code === 'too_large' ? 413 : 400,
        title: 'Unreadable scan body',
        detail: err.message,
        code: err.code,
        format: q.data.format,
        ...(err.limit ?? {}),
      });
    }
    try {
      const accepted = await acceptScan(opts.db, opts.pool, {
        orgId: env.orgId,
        envId: env.envId,
        format: q.data.format,
        full: q.data.full === 'true' || q.data.full === '1',
        ...(q.data.scanner ? { scanner: q.data.scanner } : {}),
        source: req.headers['user-agent']?.startsWith('dg-cli') ? 'cli' : 'http',
        body,
      });
      opts.onAccepted?.();
      return reply
        .code(202)
        .header('location', `/v1/scans/${accepted.scanId}`)
        .send({ scanId: accepted.scanId, status: 'accepted', statusUrl: `/v1/scans/${accepted.scanId}` });
    } catch (err) {
      if (!(err instanceof ScanFormatError)) throw err;
      return sendProblem(reply, {
        status: STATUS_OF_FORMAT_ERROR[err.code],
        title: `Invalid ${err.format} scan`,
        detail: err.message,
        code: err.code,
        format: err.format,
        ...(err.limit ?? {}),
        errors: [{ path: err.path, message: err.message }],
      });
    }
  });

  app.get<{ Params: { id: string } }>('/v1/scans/:id', async (req, reply) => {
    const principal = await authenticate(req, reply, opts.verify, READ_ROLES);
    if (!principal) return reply;
    const id = z.uuid().safeParse(req.params.id);
    const scan = id.success ? await getScan(opts.db, id.data, principal.orgId) : undefined;
    if (!scan || (principal.envId !== null && scan.environment_id !== principal.envId)) {
      return sendProblem(reply, { status: 404, title: 'Scan not found', detail: `no scan ${req.params.id} in your organization` });
    }
    return reply.send(presentScan(scan));
  });
}

function isStream(v: unknown): v is AsyncIterable<Buffer | string> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v;
}

async function* noBody(): AsyncIterable<Buffer> {}

async function authenticate(req: FastifyRequest, reply: FastifyReply, verify: Verify, roles: Set<string>): Promise<Principal | undefined> {
  try {
    const p = await verify(req.headers.authorization);
    if (!roles.has(p.role)) {
      sendProblem(reply, { status: 403, title: 'Forbidden', detail: `a ${p.role} token cannot do this` });
      return undefined;
    }
    return p;
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'invalid_token';
    sendProblem(reply, { status: 401, title: 'Unauthorized', detail: (err as Error).message, code });
    return undefined;
  }
}

function presentScan(s: Record<string, unknown>) {
  return {
    id: s.id,
    environmentId: s.environment_id,
    format: s.format,
    full: s.is_full,
    scanner: s.scanner,
    source: s.source,
    status: s.status,
    counts: {
      resourcesSeen: s.resources_seen,
      driftsOpened: s.drifts_opened,
      driftsUpdated: s.drifts_updated,
      driftsResolved: s.drifts_resolved,
    },
    rejected: s.rejected_items,
    coverage: s.coverage,
    report: s.report,
    error: s.error,
    attempts: s.attempts,
    submittedAt: s.submitted_at,
    startedAt: s.started_at,
    completedAt: s.completed_at,
  };
}
