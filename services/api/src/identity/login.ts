import { UserRole, type LoginBody } from '@driftguard/contracts';
import { runAsOrg, writeAudit, type Database } from '@driftguard/db';
import { AuthError, InvalidInputError } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { verifyPassword } from './passwords.js';
import { startSession, type SessionSettings, type StartedSession } from './sessions.js';
import { loginCandidates, type LoginCandidate } from './users.queries.js';

export interface Client {
  ip: string;
  userAgent: string | null;
}

/**
 * Signs in with email and password. Every refusal is the same `invalid_credentials` (401), and an
 * unknown email costs one Argon2 verification like a wrong password, so answers reveal nothing
 * about which accounts exist. A refusal for a known user leaves an audit row in its organization.
 */
export async function passwordLogin(
  db: Kysely<Database>,
  settings: SessionSettings,
  input: LoginBody,
  client: Client,
  now = new Date(),
): Promise<StartedSession> {
  const all = await loginCandidates(db, input.email);
  const candidates = input.organization === undefined ? all : all.filter((c) => c.organization_slug === input.organization);
  if (candidates.length > 1) {
    throw new InvalidInputError(
      'this email belongs to several organizations; pass organization',
      [{ path: 'organization', message: 'required: the slug of the organization to sign in to' }],
      { code: 'organization_required' },
    );
  }
  const user = candidates[0];
  const matches = await verifyPassword(user?.password_hash ?? null, input.password);
  if (!user) throw new AuthError('invalid_credentials');
  const role = UserRole.safeParse(user.role);
  const refusal = !matches
    ? 'wrong password'
    : !user.is_active || user.organization_active === false
      ? 'account deactivated'
      : null;
  if (refusal !== null || !role.success) {
    await recordRefusal(db, user, client, refusal ?? 'unknown role');
    throw new AuthError('invalid_credentials');
  }
  return startSession(
    db,
    settings,
    { userId: user.id, orgId: user.organization_id, role: role.data, method: 'password', ...client },
    now,
  );
}

async function recordRefusal(db: Kysely<Database>, user: LoginCandidate, client: Client, reason: string): Promise<void> {
  await runAsOrg(user.organization_id, () =>
    db.transaction().execute((tx) =>
      writeAudit(tx, {
        organizationId: user.organization_id,
        userId: user.id,
        action: 'user_session.created',
        resourceType: 'user_session',
        resourceId: user.id,
        newValues: { method: 'password' },
        ip: client.ip,
        userAgent: client.userAgent,
        success: false,
        errorMessage: `invalid_credentials: ${reason}`,
      }),
    ),
  );
}
