import { principalOf, type Principal } from '@driftguard/runtime';
import type { FastifyRequest } from 'fastify';

/** Who asks and from where: what every audit row of a request records besides the change. */
export interface AuditContext {
  orgId: number;
  actor: { kind: 'user'; userId: number; sessionId: string | null } | { kind: 'token'; tokenId: number } | { kind: 'system' };
  ip: string | null;
  userAgent: string | null;
}

/**
 * audit_log has no token column: a token actor is recorded as `session_id` = `token:<id>` with
 * no `user_id`; a user as its `user_id` and its session's id; the system as neither.
 */
export const TOKEN_SESSION_PREFIX = 'token:';

export function actorOf(principal: Principal): AuditContext['actor'] {
  if (principal.actor === 'user' && principal.userId !== null) {
    return { kind: 'user', userId: principal.userId, sessionId: principal.sessionId };
  }
  if (principal.actor === 'token' && principal.tokenId !== null) return { kind: 'token', tokenId: principal.tokenId };
  return { kind: 'system' };
}

/**
 * The audit context of a request guarded by `requireToken`, for `audited`: the request counts as
 * audited from here (`audited` records its success or failure).
 */
export function auditContextOf(request: FastifyRequest): AuditContext {
  const principal = principalOf(request);
  request.auditHandled = true;
  return { orgId: principal.orgId, actor: actorOf(principal), ...clientOf(request) };
}

/** The client's address and user agent, as recorded on sessions and audit rows. */
export function clientOf(request: FastifyRequest): { ip: string; userAgent: string | null } {
  const agent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof agent === 'string' ? agent.slice(0, 1000) : null };
}
