import type { Role } from '@driftguard/contracts';
import { forOrg, type ApiToken, type Database } from '@driftguard/db';
import type { Kysely, Transaction } from 'kysely';

/** api_tokens rows of one organization. Every query is confined to `orgId` (row-level security is the second line). */

export interface NewTokenRow {
  environmentId: number | null;
  name: string;
  prefix: string;
  hash: Buffer;
  role: Role;
  expiresAt: Date | null;
}

export function insertToken(tx: Transaction<Database>, orgId: number, token: NewTokenRow): Promise<ApiToken> {
  return tx
    .insertInto('api_tokens')
    .values({
      organization_id: orgId,
      environment_id: token.environmentId,
      name: token.name,
      token_prefix: token.prefix,
      token_hash: token.hash,
      role: token.role,
      expires_at: token.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listTokens(db: Kysely<Database>, orgId: number): Promise<ApiToken[]> {
  return forOrg(db, orgId).selectFrom('api_tokens').selectAll().orderBy('id').execute();
}

/** The token locked for update; undefined when it is not the organization's. */
export function lockToken(tx: Transaction<Database>, orgId: number, id: number): Promise<ApiToken | undefined> {
  return forOrg(tx, orgId).selectFrom('api_tokens').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function markTokenRevoked(tx: Transaction<Database>, orgId: number, id: number, at: Date): Promise<ApiToken> {
  return forOrg(tx, orgId)
    .updateTable('api_tokens')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The id of environment `slug` of the organization; undefined when it has none such. */
export async function environmentIdBySlug(tx: Transaction<Database>, orgId: number, slug: string): Promise<number | undefined> {
  const row = await forOrg(tx, orgId).selectFrom('environments').select('id').where('slug', '=', slug).executeTakeFirst();
  return row?.id;
}
