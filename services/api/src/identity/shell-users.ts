import { UserRole } from '@driftguard/contracts';
import { writeAudit, type Database } from '@driftguard/db';
import { ConflictError, InvalidInputError, NotFoundError } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { parseInput } from '../bootstrap/input.js';
import { uniqueViolation } from '../bootstrap/unique-violation.js';
import { hashPassword } from './passwords.js';
import { insertUser } from './users.queries.js';

const CreateUserFromShellInput = z.object({
  /** Organization slug; may be omitted when there is exactly one organization. */
  orgSlug: z.string().min(1).max(100).optional(),
  email: z.email().max(320),
  role: UserRole,
  password: z.string().min(12, { error: 'must be at least 12 characters' }).max(1024).optional(),
  displayName: z.string().trim().min(1).max(255).optional(),
});
export type CreateUserFromShellInput = z.input<typeof CreateUserFromShellInput>;

export interface CreatedUser {
  id: number;
  orgId: number;
  orgSlug: string;
  email: string;
  role: UserRole;
}

/**
 * Creates a user from the shell (`dg user create --admin <email>`: the first administrator, before
 * anyone can sign in), with its audit row (a system action) in the same transaction.
 */
export async function createUserFromShell(db: Kysely<Database>, input: CreateUserFromShellInput): Promise<CreatedUser> {
  const { orgSlug, email, role, password, displayName } = parseInput(CreateUserFromShellInput, input, 'user');
  const passwordHash = password === undefined ? null : await hashPassword(password);
  return db.transaction().execute(async (tx) => {
    const orgs = await tx
      .selectFrom('organizations')
      .select(['id', 'slug'])
      .$if(orgSlug !== undefined, (q) => q.where('slug', '=', orgSlug ?? ''))
      .limit(2)
      .execute();
    const org = orgs[0];
    if (!org)
      throw new NotFoundError(
        orgSlug === undefined ? 'there is no organization yet: dg org create <slug>' : `organization "${orgSlug}" not found`,
      );
    if (orgs.length > 1) {
      throw new InvalidInputError('there are several organizations; pass --org <slug>', [{ path: '--org', message: 'required' }]);
    }
    let id: number;
    try {
      ({ id } = await insertUser(tx, org.id, { email, displayName: displayName ?? null, role, passwordHash }));
    } catch (err) {
      if (uniqueViolation(err))
        throw new ConflictError(`a user ${email.toLowerCase()} exists already in ${org.slug}`, 'duplicate', { cause: err });
      throw err;
    }
    await writeAudit(tx, {
      organizationId: org.id,
      action: 'user.created',
      resourceType: 'user',
      resourceId: id,
      newValues: { email: email.toLowerCase(), role, displayName: displayName ?? null, hasPassword: passwordHash !== null },
    });
    return { id, orgId: org.id, orgSlug: org.slug, email: email.toLowerCase(), role };
  });
}
