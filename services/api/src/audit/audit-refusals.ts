import { runAsOrg, writeAudit, type Database } from '@driftguard/db';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import { actorOf, clientOf, TOKEN_SESSION_PREFIX } from './audit-context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once a route hands the request to `audited` (which records success and failure itself). */
    auditHandled: boolean;
  }
  interface FastifyContextConfig {
    /** What a mutating route changes, for the audit row of an attempt refused before it ran. */
    audit?: { action: string; resourceType: string };
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function resourceIdOf(request: FastifyRequest): number {
  const params = request.params;
  const id = typeof params === 'object' && params !== null && 'id' in params ? Number(params.id) : NaN;
  return Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647 ? id : 0;
}

/**
 * Audits mutations refused before their handler ran (a role or environment the caller lacks):
 * one failure row in the caller's organization,
 * named by the route's `config.audit` or by its method and path. Requests whose caller is
 * unknown (no or a bad credential) belong to no organization and are left to the request log.
 */
const registerAuditRefusals: FastifyPluginAsync<{ db: Kysely<Database> }> = async (app, { db }) => {
  app.decorateRequest('auditHandled', false);
  // Before the answer leaves, so a caller who sees the refusal finds its audit row.
  app.addHook('onSend', async (request, reply, payload) => {
    const principal = request.principal;
    if (reply.statusCode < 400 || !MUTATING.has(request.method) || request.auditHandled || !principal) return payload;
    const actor = actorOf(principal);
    const spec = request.routeOptions.config.audit;
    const client = clientOf(request);
    try {
      await runAsOrg(principal.orgId, () =>
        db.transaction().execute((tx) =>
          writeAudit(tx, {
            organizationId: principal.orgId,
            action: (spec?.action ?? `${request.method} ${request.routeOptions.url ?? 'unknown'}`).slice(0, 100),
            resourceType: (spec?.resourceType ?? 'request').slice(0, 50),
            resourceId: resourceIdOf(request),
            userId: actor.kind === 'user' ? actor.userId : null,
            sessionId:
              actor.kind === 'user' ? actor.sessionId : actor.kind === 'token' ? `${TOKEN_SESSION_PREFIX}${actor.tokenId}` : null,
            ip: client.ip,
            userAgent: client.userAgent,
            success: false,
            errorMessage: `refused with ${reply.statusCode}`,
          }),
        ),
      );
    } catch (err) {
      request.log.error({ err }, 'could not audit a refused request');
    }
    return payload;
  });
};

/** Registered once in the api's scope (service.ts). */
export const auditRefusalsPlugin = fp(registerAuditRefusals, { name: 'driftguard-audit-refusals', fastify: '5.x' });
