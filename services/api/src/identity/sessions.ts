import type { SessionListItem, SessionView, UserRole } from '@driftguard/contracts';
import { runAsOrg, type Database, type JsonValue, type UserSession } from '@driftguard/db';
import { generateSession, NotFoundError } from '@driftguard/runtime';
import type { Kysely, Transaction } from 'kysely';
import { audited } from '../audit/audited.js';
import type { AuditContext } from '../audit/audit-context.js';
import { endSession, insertSession, listSessions, lockSession } from './sessions.queries.js';

/** How long console sessions live and how their cookie is marked. */
export interface SessionSettings {
  /** Absolute lifetime from sign-in. */
  ttlMs: number;
  /** Idle timeout: a session unused this long is over. */
  idleMs: number;
  /** `Secure` cookie attribute. */
  secureCookie: boolean;
}

/** A signed-in user, before the session exists. */
export interface SigningIn {
  userId: number;
  orgId: number;
  role: UserRole;
  ip: string;
  userAgent: string | null;
  /** `password` or `oidc`, recorded on the audit row. */
  method: 'password' | 'oidc';
}

/** A new session: the cookie's secret (set once in the browser) and what the console is told. */
export interface StartedSession {
  secret: string;
  view: SessionView;
}

/**
 * Starts a console session and writes its audit row (`user_session.created`, resource the user,
 * the new session's id in `session_id`) in one transaction. `bind` runs in that transaction
 * first (an OpenID Connect sign-in binds the identity there) and its result is recorded as `bound`.
 */
export async function startSession(
  db: Kysely<Database>,
  settings: SessionSettings,
  who: SigningIn,
  now = new Date(),
  bind?: (tx: Transaction<Database>) => Promise<JsonValue>,
): Promise<StartedSession> {
  const session = generateSession();
  const expiresAt = new Date(now.getTime() + settings.ttlMs);
  const ctx: AuditContext = {
    orgId: who.orgId,
    actor: { kind: 'user', userId: who.userId, sessionId: session.id },
    ip: who.ip,
    userAgent: who.userAgent,
  };
  return audited(
    db,
    ctx,
    { action: 'user_session.created', resourceType: 'user_session', resourceId: who.userId },
    async (tx) => {
      const bound = bind ? await bind(tx) : undefined;
      await insertSession(tx, who.orgId, {
        id: session.id,
        userId: who.userId,
        ip: who.ip,
        userAgent: who.userAgent,
        createdAt: now,
        expiresAt,
      });
      return {
        resourceId: who.userId,
        newValues: { method: who.method, expiresAt: expiresAt.toISOString(), ...(bound === undefined ? {} : { bound }) },
        result: {
          secret: session.secret,
          view: {
            userId: who.userId,
            orgId: who.orgId,
            role: who.role,
            expiresAt: expiresAt.toISOString(),
            csrfToken: session.csrfToken,
          },
        },
      };
    },
  );
}

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

function sessionListItem(row: UserSession): SessionListItem {
  return {
    id: row.id,
    userId: row.user_id,
    ipAddress: row.ip_address,
    userAgent: row.user_agent,
    createdAt: iso(row.created_at),
    expiresAt: new Date(row.expires_at).toISOString(),
    lastActivity: iso(row.last_activity),
    active: row.is_active !== false && row.revoked_at === null,
  };
}

const sessionAuditValues = (row: UserSession) => ({
  userId: row.user_id,
  active: row.is_active !== false && row.revoked_at === null,
  revokedAt: iso(row.revoked_at),
});

/** Ends a session of the caller's organization (logout, or an administrator's revocation). */
export function revokeSession(
  db: Kysely<Database>,
  ctx: AuditContext,
  sessionId: string,
  action: 'user_session.ended' | 'user_session.revoked',
  now = new Date(),
): Promise<SessionListItem> {
  const resourceId = ctx.actor.kind === 'user' ? ctx.actor.userId : 0;
  return audited(db, ctx, { action, resourceType: 'user_session', resourceId }, async (tx) => {
    const before = await lockSession(tx, ctx.orgId, sessionId);
    if (!before) throw new NotFoundError('no such session in your organization', { code: 'session_not_found' });
    const after = before.revoked_at === null ? await endSession(tx, ctx.orgId, sessionId, now) : before;
    return {
      resourceId: before.user_id,
      oldValues: sessionAuditValues(before),
      newValues: { ...sessionAuditValues(after), sessionId },
      result: sessionListItem(after),
    };
  });
}

/** The organization's console sessions, newest first. */
export async function listOrgSessions(db: Kysely<Database>, orgId: number): Promise<SessionListItem[]> {
  const rows = await runAsOrg(orgId, () => listSessions(db, orgId));
  return rows.map(sessionListItem);
}
