import { type CreateUserBody, type UpdateUserBody, type UserView } from '@driftguard/contracts';
import { runAsOrg, type Database, type User } from '@driftguard/db';
import { ConflictError, NotFoundError } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { audited } from '../audit/audited.js';
import type { AuditContext } from '../audit/audit-context.js';
import { uniqueViolation } from '../bootstrap/unique-violation.js';
import { hashPassword } from './passwords.js';
import { endUserSessions } from './sessions.queries.js';
import { insertUser, listUsers, lockUser, updateUser, type UserChanges } from './users.queries.js';

/** A user row as the api shows it: never the password hash. */
export function userView(row: User): UserView {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    isActive: row.is_active,
    hasPassword: row.password_hash !== null,
    oidcLinked: row.oidc_subject !== null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** What an audit row keeps of a user: whether a password is set, never the hash. */
function userAuditValues(row: User) {
  const { id: _id, createdAt: _createdAt, ...rest } = userView(row);
  return rest;
}

/** Creates a user of the caller's organization (409 when the email is taken there). */
export async function createUser(
  db: Kysely<Database>,
  ctx: AuditContext,
  input: z.output<typeof CreateUserBody>,
): Promise<UserView> {
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  const attempted = { email: input.email.toLowerCase(), role: input.role, displayName: input.displayName ?? null };
  return audited(db, ctx, { action: 'user.created', resourceType: 'user', attempted }, async (tx) => {
    let row: User;
    try {
      row = await insertUser(tx, ctx.orgId, {
        email: input.email,
        displayName: input.displayName ?? null,
        role: input.role,
        passwordHash,
      });
    } catch (err) {
      if (uniqueViolation(err)) throw new ConflictError(`a user ${attempted.email} exists already`, 'duplicate', { cause: err });
      throw err;
    }
    return { resourceId: row.id, newValues: userAuditValues(row), result: userView(row) };
  });
}

export async function listOrgUsers(db: Kysely<Database>, orgId: number): Promise<UserView[]> {
  const rows = await runAsOrg(orgId, () => listUsers(db, orgId));
  return rows.map(userView);
}

/**
 * Changes a user of the caller's organization. Deactivating a user or setting a new password
 * ends the user's open sessions in the same transaction.
 */
export async function changeUser(
  db: Kysely<Database>,
  ctx: AuditContext,
  id: number,
  input: z.output<typeof UpdateUserBody>,
  now = new Date(),
): Promise<UserView> {
  const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
  const changes: UserChanges = {
    ...(input.displayName === undefined ? {} : { display_name: input.displayName }),
    ...(input.role === undefined ? {} : { role: input.role }),
    ...(input.isActive === undefined ? {} : { is_active: input.isActive }),
    ...(passwordHash === undefined ? {} : { password_hash: passwordHash }),
  };
  const attempted = { ...input, ...(input.password === undefined ? {} : { password: '(new)' }) };
  return audited(db, ctx, { action: 'user.updated', resourceType: 'user', resourceId: id, attempted }, async (tx) => {
    const before = await lockUser(tx, ctx.orgId, id);
    if (!before) throw new NotFoundError(`no user ${id} in your organization`, { code: 'user_not_found' });
    const after = await updateUser(tx, ctx.orgId, id, changes);
    const endsSessions = input.isActive === false || passwordHash !== undefined;
    const sessionsEnded = endsSessions ? await endUserSessions(tx, ctx.orgId, id, now) : 0;
    return {
      resourceId: id,
      oldValues: userAuditValues(before),
      newValues: { ...userAuditValues(after), ...(passwordHash === undefined ? {} : { passwordChanged: true }), sessionsEnded },
      result: userView(after),
    };
  });
}
