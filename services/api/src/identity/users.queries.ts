import type { UserRole } from '@driftguard/contracts';
import { forOrg, type Database, type User } from '@driftguard/db';
import { sql, type Kysely, type Transaction } from 'kysely';

/** users rows. Org-scoped queries are confined to `orgId`; the sign-in lookups cross organizations by design. */

export interface NewUserRow {
  email: string;
  displayName: string | null;
  role: UserRole;
  passwordHash: string | null;
}

export function insertUser(tx: Transaction<Database>, orgId: number, user: NewUserRow): Promise<User> {
  return tx
    .insertInto('users')
    .values({
      organization_id: orgId,
      email: user.email.toLowerCase(),
      display_name: user.displayName,
      role: user.role,
      password_hash: user.passwordHash,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listUsers(db: Kysely<Database>, orgId: number): Promise<User[]> {
  return forOrg(db, orgId).selectFrom('users').selectAll().orderBy('id').execute();
}

export function lockUser(tx: Transaction<Database>, orgId: number, id: number): Promise<User | undefined> {
  return forOrg(tx, orgId).selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export interface UserChanges {
  display_name?: string | null;
  role?: UserRole;
  is_active?: boolean;
  password_hash?: string;
  oidc_issuer?: string;
  oidc_subject?: string;
}

export function updateUser(tx: Transaction<Database>, orgId: number, id: number, changes: UserChanges): Promise<User> {
  return forOrg(tx, orgId).updateTable('users').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** A user who may sign in with a password, found by email before the organization is known (migration 0014). */
export interface LoginCandidate {
  id: number;
  organization_id: number;
  organization_slug: string;
  role: string;
  password_hash: string | null;
  is_active: boolean;
  organization_active: boolean | null;
}

export async function loginCandidates(db: Kysely<Database>, email: string): Promise<LoginCandidate[]> {
  const { rows } = await sql<LoginCandidate>`SELECT * FROM dg_login_candidates(${email})`.execute(db);
  return rows;
}

/** Users an OpenID Connect identity may sign in as: the one bound to it, or unbound users with its verified email. */
export interface OidcCandidate {
  id: number;
  organization_id: number;
  organization_slug: string;
  role: string;
  oidc_subject: string | null;
  is_active: boolean;
  organization_active: boolean | null;
}

export async function oidcCandidates(
  db: Kysely<Database>,
  issuer: string,
  subject: string,
  verifiedEmail: string | null,
): Promise<OidcCandidate[]> {
  const { rows } = await sql<OidcCandidate>`SELECT * FROM dg_oidc_candidates(${issuer}, ${subject}, ${verifiedEmail})`.execute(
    db,
  );
  return rows;
}
