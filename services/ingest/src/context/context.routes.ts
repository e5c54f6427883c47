import {
  ContextAccepted,
  ContextIntakeQuery,
  ContextSourceParams,
  Role,
  SignedContextSource,
  type ContextSource,
} from '@driftguard/contracts';
import { enterOrg, type Database, type Keyring } from '@driftguard/db';
import { InvalidInputError, problemResponses, ProblemError, requireToken, type HttpApp } from '@driftguard/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { MAX_CONTEXT_BYTES, readContextJson } from './context-payload.js';
import { SIGNATURE_HEADER, signatureMatches } from './context-signature.js';
import { publishContext } from './context.intake.js';
import { findIntegrationSigner } from './integrations.queries.js';
import { SOURCE_PARSERS } from './sources/index.js';

export interface ContextRoutesOptions {
  db: Kysely<Database>;
  /** Decrypts integration secrets; without it signed deliveries are refused. */
  keyring?: Keyring | undefined;
  /** First subject token of published events. */
  subjectRoot: string;
}

const CONTEXT_ROLES = [Role.enum.scanner, Role.enum.engineer, Role.enum.admin];
type ContextRequest = FastifyRequest<{ Params: { source: ContextSource }; Querystring: ContextIntakeQuery }>;

const badSignature = (detail: string, code = 'invalid_signature') =>
  new ProblemError(401, code, detail, { title: 'Unauthenticated delivery' });

/**
 * `POST /v1/context/:source`: commits, incidents, alerts, audit trails, deployments and
 * maintenance windows, each in its source's own format, published as `dg.context.<kind>.v1`.
 * Bodies are read as raw bytes, so a signature is checked over exactly what was sent.
 */
export async function contextRoutes(app: HttpApp, opts: ContextRoutesOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_CONTEXT_BYTES }, (_req, body, done) => done(null, body));
  const withEnvironment = requireToken({ roles: CONTEXT_ROLES, environment: 'query' });
  const tokenOnly = requireToken({ roles: CONTEXT_ROLES });

  /** A signed delivery names its integration; others send a token (an organization-wide one may let CloudTrail route itself). */
  async function authenticate(this: unknown, req: ContextRequest, reply: FastifyReply): Promise<void> {
    const { source } = req.params;
    if (req.query.integration !== undefined) return verifySignedDelivery(req, source, req.query.integration);
    const handler = source === 'cloudtrail' && req.query.env === undefined ? tokenOnly : withEnvironment;
    await handler.call(app, req, reply);
  }

  async function verifySignedDelivery(req: ContextRequest, source: ContextSource, integrationId: string): Promise<void> {
    const signed = SignedContextSource.safeParse(source);
    if (!signed.success) {
      throw new InvalidInputError(`${source} deliveries authenticate with a bearer token, not an integration`, [
        { path: 'query.integration', message: 'only for github and pagerduty' },
      ]);
    }
    const header = req.headers[SIGNATURE_HEADER[signed.data]];
    if (typeof header !== 'string' || header === '')
      throw badSignature(`a signed delivery needs the ${SIGNATURE_HEADER[signed.data]} header`, 'missing_signature');
    // An unknown integration and a wrong signature answer alike: ids are not confirmed to guessers.
    const signer = opts.keyring ? await findIntegrationSigner(opts.db, opts.keyring, integrationId) : undefined;
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!signer || signer.source !== signed.data || !signatureMatches(signed.data, header, raw, signer.secret)) {
      throw badSignature(`the ${SIGNATURE_HEADER[signed.data]} signature does not match integration ${integrationId}`);
    }
    req.environment = { orgId: signer.orgId, envId: signer.envId };
  }

  app.post(
    '/v1/context/:source',
    {
      bodyLimit: MAX_CONTEXT_BYTES,
      config: { bodyLimitName: 'maxContextBytes' },
      preHandler: authenticate,
      schema: {
        summary: 'Submit context (commits, incidents, alerts, audit events, deployments, maintenance) in the source’s own format',
        description:
          'Authenticate with a bearer token, or for github and pagerduty with `integration=<id>` and the source’s signature header. ' +
          'One dg.context.<kind>.v1 event per signal; a signal delivered again is not published twice.',
        security: [{ bearer: [] }, {}],
        params: ContextSourceParams,
        querystring: ContextIntakeQuery,
        binaryBody: { description: 'the source’s webhook or export body as it is (JSON)', mediaTypes: ['application/json'] },
        response: { 200: ContextAccepted, 202: ContextAccepted, ...problemResponses(401, 403, 404, 413, 422) },
      },
    },
    async (req, reply) => {
      const { source } = req.params;
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const body = readContextJson(source, raw);
      const delivery = SOURCE_PARSERS[source](body, { get: (name) => headerValue(req.headers[name]) }, source);
      const target = req.environment ?? (req.principal ? { orgId: req.principal.orgId, envId: req.principal.envId } : undefined);
      if (!target) throw new Error('context route reached without authentication');
      // Every read and write of the delivery (environment routing, the outbox) in its organization's scope.
      enterOrg(target.orgId);
      const result = await publishContext(opts.db, {
        orgId: target.orgId,
        envId: target.envId,
        source,
        signals: delivery.signals,
        subjectRoot: opts.subjectRoot,
      });
      const answer: ContextAccepted = {
        status: 'accepted',
        source,
        ...result,
        ...(delivery.ignored !== undefined ? { ignored: delivery.ignored } : {}),
      };
      // Nothing to publish (a ping, an event type DriftGuard does not use) is answered 200, a publication 202.
      return reply.code(delivery.signals.length === 0 ? 200 : 202).send(answer);
    },
  );
}
Object.defineProperty(contextRoutes, Symbol.for('fastify.display-name'), { value: 'ingest-context-routes' });

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
