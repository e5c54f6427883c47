import { type CreateTokenBody, type CreatedToken, type TokenView } from '@driftguard/contracts';
import { runAsOrg, type Database } from '@driftguard/db';
import { generateToken, NotFoundError } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { audited } from '../audit/audited.js';
import type { AuditContext } from '../audit/audit-context.js';
import { parseDuration } from '../bootstrap/duration.js';
import { tokenAuditValues, tokenView } from './token-view.js';
import { environmentIdBySlug, insertToken, listTokens, lockToken, markTokenRevoked } from './tokens.queries.js';

type CreateTokenInput = z.output<typeof CreateTokenBody>;

/** Creates a token of the caller's organization; the answer is the only place its secret appears. */
export function createToken(
  db: Kysely<Database>,
  ctx: AuditContext,
  input: CreateTokenInput,
  now = new Date(),
): Promise<CreatedToken> {
  const lifetime = input.expiresIn === 'never' ? undefined : parseDuration(input.expiresIn);
  const expiresAt = lifetime === undefined ? null : new Date(now.getTime() + lifetime);
  const { token, prefix, hash } = generateToken();
  const attempted = {
    name: input.name ?? null,
    role: input.role,
    environment: input.environment ?? null,
    expiresIn: input.expiresIn,
  };
  return audited(db, ctx, { action: 'api_token.created', resourceType: 'api_token', attempted }, async (tx) => {
    let environmentId: number | null = null;
    if (input.environment !== undefined) {
      const found = await environmentIdBySlug(tx, ctx.orgId, input.environment);
      if (found === undefined) {
        throw new NotFoundError(`no environment ${input.environment} in your organization`, { code: 'environment_not_found' });
      }
      environmentId = found;
    }
    const row = await insertToken(tx, ctx.orgId, {
      environmentId,
      name: input.name ?? `${input.role}-${prefix}`,
      prefix,
      hash,
      role: input.role,
      expiresAt,
    });
    return { resourceId: row.id, newValues: tokenAuditValues(row), result: { ...tokenView(row), token } };
  });
}

/** The organization's tokens, revoked and expired ones included. */
export async function listOrgTokens(db: Kysely<Database>, orgId: number): Promise<TokenView[]> {
  const rows = await runAsOrg(orgId, () => listTokens(db, orgId));
  return rows.map(tokenView);
}

/** Revokes a token of the caller's organization (idempotent: a revoked token keeps its first revocation time). */
export function revokeToken(db: Kysely<Database>, ctx: AuditContext, id: number, now = new Date()): Promise<TokenView> {
  return audited(db, ctx, { action: 'api_token.revoked', resourceType: 'api_token', resourceId: id }, async (tx) => {
    const before = await lockToken(tx, ctx.orgId, id);
    if (!before) throw new NotFoundError(`no token ${id} in your organization`, { code: 'token_not_found' });
    const after = before.revoked_at === null ? await markTokenRevoked(tx, ctx.orgId, id, now) : before;
    return { resourceId: id, oldValues: tokenAuditValues(before), newValues: tokenAuditValues(after), result: tokenView(after) };
  });
}
