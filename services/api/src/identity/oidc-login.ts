import { UserRole } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import { AuthError } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import type { Client } from './login.js';
import type { OidcIdentity } from './oidc.js';
import { startSession, type SessionSettings, type StartedSession } from './sessions.js';
import { oidcCandidates, updateUser } from './users.queries.js';

/**
 * Starts a session for an OpenID Connect identity: the user bound to it, or else the one user
 * (of any organization) whose email the provider verified and who has no identity bound yet;
 * that user is bound to the identity in the session's transaction. Nobody else gets in: users
 * are created by an administrator, never by signing in.
 */
export async function oidcSessionFor(
  db: Kysely<Database>,
  settings: SessionSettings,
  identity: OidcIdentity,
  client: Client,
  now = new Date(),
): Promise<StartedSession> {
  const candidates = await oidcCandidates(db, identity.issuer, identity.subject, identity.verifiedEmail);
  const bound = candidates.find((c) => c.oidc_subject === identity.subject);
  const byEmail = candidates.filter((c) => c.oidc_subject === null);
  const user = bound ?? (byEmail.length === 1 ? byEmail[0] : undefined);
  if (!user) {
    const why =
      byEmail.length > 1
        ? 'the email belongs to several organizations'
        : 'no DriftGuard user has this identity or verified email';
    throw new AuthError('forbidden', `sign-in refused: ${why}`);
  }
  const role = UserRole.safeParse(user.role);
  if (!user.is_active || user.organization_active === false || !role.success)
    throw new AuthError('forbidden', 'the account is deactivated');
  return startSession(
    db,
    settings,
    { userId: user.id, orgId: user.organization_id, role: role.data, method: 'oidc', ...client },
    now,
    bound
      ? undefined
      : async (tx) => {
          await updateUser(tx, user.organization_id, user.id, { oidc_issuer: identity.issuer, oidc_subject: identity.subject });
          return { issuer: identity.issuer, subject: identity.subject };
        },
  );
}
