import type { Role } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import { sql, type Kysely } from 'kysely';
import { AuthError } from './auth-error.js';
import { isSessionSecret, sessionIdOf } from './session-secret.js';

/** Who a verified console session speaks for. */
export interface SessionPrincipal {
  sessionId: string;
  userId: number;
  orgId: number;
  role: Role;
}

export interface SessionVerifier {
  /** Verifies a session cookie's value; throws `AuthError` (`invalid_session`, `expired_session`, …). */
  verify(secret: string): Promise<SessionPrincipal>;
}

export interface SessionVerifierOptions {
  /** A session unused for this long is over (idle timeout). */
  idleTimeoutMs: number;
  /** `last_activity` is written at most this often per session (default one minute). */
  touchIntervalMs?: number;
  /** Clock for tests. */
  now?: () => Date;
}

interface SessionRow {
  id: string;
  user_id: number;
  organization_id: number;
  role: string;
  expires_at: Date;
  last_activity: Date | null;
  is_active: boolean | null;
  revoked_at: Date | null;
  user_active: boolean;
  organization_active: boolean | null;
}

const USER_ROLES: readonly Role[] = ['admin', 'engineer', 'viewer'];
const isUserRole = (role: string): role is Role => (USER_ROLES as readonly string[]).includes(role);

/**
 * Session verification for the api. The row is found by the sha256 of the cookie's secret
 * through the SECURITY DEFINER function of migration 0014 (the organization is not known yet);
 * a session is refused once logged out or revoked, past its absolute expiry, idle for longer than
 * the idle timeout, or when its user or organization is deactivated.
 */
export function createSessionVerifier(db: Kysely<Database>, options: SessionVerifierOptions): SessionVerifier {
  const touchIntervalMs = Math.min(options.touchIntervalMs ?? 60_000, options.idleTimeoutMs);
  const now = options.now ?? (() => new Date());
  return {
    async verify(secret) {
      if (!isSessionSecret(secret)) throw new AuthError('invalid_session');
      const id = sessionIdOf(secret);
      const { rows } = await sql<SessionRow>`SELECT * FROM dg_session_by_id(${id})`.execute(db);
      const row = rows[0];
      if (!row) throw new AuthError('invalid_session');
      const at = now();
      if (row.revoked_at !== null || row.is_active === false) throw new AuthError('revoked_session');
      if (new Date(row.expires_at) <= at) throw new AuthError('expired_session');
      const lastActivity = row.last_activity === null ? null : new Date(row.last_activity);
      if (lastActivity !== null && at.getTime() - lastActivity.getTime() >= options.idleTimeoutMs) {
        throw new AuthError('expired_session', 'the session has been idle too long; sign in again');
      }
      if (!row.user_active || row.organization_active === false) throw new AuthError('forbidden', 'the account is deactivated');
      if (!isUserRole(row.role)) throw new AuthError('invalid_session');
      if (lastActivity === null || at.getTime() - lastActivity.getTime() >= touchIntervalMs) {
        await sql`SELECT dg_touch_user_session(${id}, ${touchIntervalMs / 1000}::double precision)`.execute(db);
      }
      return { sessionId: id, userId: Number(row.user_id), orgId: Number(row.organization_id), role: row.role };
    },
  };
}
