import { forOrg, type Database, type UserSession } from '@driftguard/db';
import type { Kysely, Transaction } from 'kysely';

/** user_sessions rows of one organization; `id` is the sha256 of the cookie's secret. */

export interface NewSessionRow {
  id: string;
  userId: number;
  ip: string;
  userAgent: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export function insertSession(tx: Transaction<Database>, orgId: number, s: NewSessionRow): Promise<UserSession> {
  return tx
    .insertInto('user_sessions')
    .values({
      id: s.id,
      user_id: s.userId,
      organization_id: orgId,
      ip_address: s.ip,
      user_agent: s.userAgent,
      created_at: s.createdAt,
      last_activity: s.createdAt,
      expires_at: s.expiresAt,
      is_active: true,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listSessions(db: Kysely<Database>, orgId: number): Promise<UserSession[]> {
  return forOrg(db, orgId).selectFrom('user_sessions').selectAll().orderBy('created_at', 'desc').execute();
}

export function lockSession(tx: Transaction<Database>, orgId: number, id: string): Promise<UserSession | undefined> {
  return forOrg(tx, orgId).selectFrom('user_sessions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function endSession(tx: Transaction<Database>, orgId: number, id: string, at: Date): Promise<UserSession> {
  return forOrg(tx, orgId)
    .updateTable('user_sessions')
    .set({ is_active: false, revoked_at: at })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Ends every open session of a user (deactivation, password change); returns how many. */
export async function endUserSessions(tx: Transaction<Database>, orgId: number, userId: number, at: Date): Promise<number> {
  const result = await forOrg(tx, orgId)
    .updateTable('user_sessions')
    .set({ is_active: false, revoked_at: at })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export function sessionById(db: Kysely<Database>, orgId: number, id: string): Promise<UserSession | undefined> {
  return forOrg(db, orgId).selectFrom('user_sessions').selectAll().where('id', '=', id).executeTakeFirst();
}
