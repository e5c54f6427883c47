import { Role, ScanAccepted, ScanIdParams, ScanStatusBody, SubmitScanQuery } from '@driftguard/contracts';
import { enterOrg, type Database } from '@driftguard/db';
import { environmentOf, NotFoundError, principalOf, problemResponses, requireToken, type HttpApp } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { acceptScan } from '../scans/scan.intake.js';
import { getScan } from '../scans/scans.queries.js';
import { readScanBody, ScanBodyError } from './scan-body.js';
import type { ScanParsePool } from '../scans/scan-parse.pool.js';

export interface ScanRoutesOptions {
  db: Kysely<Database>;
  /** Where scan bodies are parsed, off the event loop. */
  pool: ScanParsePool;
  /** Called after a scan is recorded, to wake the processor. */
  onAccepted?: () => void;
}

const SCAN_ROLES = [Role.enum.scanner, Role.enum.engineer, Role.enum.admin];

/** POST /v1/scans and GET /v1/scans/:id, in a scope that reads every body as raw bytes. */
export async function scanRoutes(app: HttpApp, opts: ScanRoutesOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  // The body stays a stream: it is read after authentication, inflated and bounded as it arrives.
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  app.post(
    '/v1/scans',
    {
      preHandler: requireToken({ roles: SCAN_ROLES, environment: 'query' }),
      schema: {
        summary: 'Submit a scan: the scanner output as it is (JSON, optionally gzip, up to 50 MB)',
        security: [{ bearer: [] }],
        querystring: SubmitScanQuery,
        binaryBody: {
          description: 'the scanner output as it is, optionally gzip-compressed',
          mediaTypes: ['application/octet-stream', 'application/json', 'application/gzip'],
        },
        response: { 202: ScanAccepted, ...problemResponses(401, 403, 404, 413, 422) },
      },
    },
    async (req, reply) => {
      const env = environmentOf(req);
      enterOrg(env.orgId);
      let body: Buffer;
      try {
        const announced = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
        body = await readScanBody(
          isStream(req.body) ? req.body : noBody(),
          req.headers['content-encoding'],
          undefined,
          announced,
        );
      } catch (err) {
        // A body cut short is not read further: close the connection rather than drain it.
        if (err instanceof ScanBodyError && err.code === 'too_large') void reply.header('connection', 'close');
        throw err;
      }
      const accepted = await acceptScan(opts.db, opts.pool, {
        orgId: env.orgId,
        envId: env.envId,
        format: req.query.format,
        full: req.query.full === 'true' || req.query.full === '1',
        ...(req.query.scanner ? { scanner: req.query.scanner } : {}),
        source: req.headers['user-agent']?.startsWith('dg-cli') ? 'cli' : 'http',
        body,
      });
      opts.onAccepted?.();
      const statusUrl = `/v1/scans/${accepted.scanId}`;
      return reply.code(202).header('location', statusUrl).send({ scanId: accepted.scanId, status: 'accepted', statusUrl });
    },
  );

  app.get(
    '/v1/scans/:id',
    {
      preHandler: requireToken({ roles: Role.options }),
      schema: {
        summary: 'A scan: status, counts, rejected items, coverage and report',
        security: [{ bearer: [] }],
        params: ScanIdParams,
        response: { 200: ScanStatusBody, ...problemResponses(401, 403, 404) },
      },
    },
    async (req) => {
      const principal = principalOf(req);
      enterOrg(principal.orgId);
      const id = z.uuid().safeParse(req.params.id);
      const scan = id.success ? await getScan(opts.db, id.data, principal.orgId) : undefined;
      // Another environment's scan is answered like a missing one: its existence is not the caller's to learn.
      if (!scan || (principal.envId !== null && scan.environment_id !== principal.envId)) {
        throw new NotFoundError(`no scan ${req.params.id} in your organization`, { code: 'scan_not_found' });
      }
      return presentScan(scan);
    },
  );
}
Object.defineProperty(scanRoutes, Symbol.for('fastify.display-name'), { value: 'ingest-scan-routes' });

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

function isStream(v: unknown): v is AsyncIterable<Buffer | string> {
  return typeof v === 'object' && v !== null && Symbol.asyncIterator in v;
}

async function* noBody(): AsyncIterable<Buffer> {}

/** The scan row as its HTTP body, checked against the contract. */
function presentScan(s: Record<string, unknown>): ScanStatusBody {
  return ScanStatusBody.parse({
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
    submittedAt: iso(s.submitted_at),
    startedAt: iso(s.started_at),
    completedAt: iso(s.completed_at),
  });
}
