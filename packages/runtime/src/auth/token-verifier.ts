import { timingSafeEqual } from 'node:crypto';
import type { Role } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import { sql, type Kysely } from 'kysely';
import { AuthError } from './auth-error.js';
import { hashToken, parseToken } from './tokens.js';

/** Who a verified token speaks for. */
export interface TokenPrincipal {
  tokenId: number;
  orgId: number;
  /** Set when the token is bound to one environment (scanner tokens usually are). */
  envId: number | null;
  role: Role;
}

export interface TokenVerifier {
  /** Verifies an `Authorization` header value (`Bearer dg_…`); throws `AuthError` otherwise. */
  verify(authorization: string | undefined): Promise<TokenPrincipal>;
}

export interface TokenVerifierOptions {
  /** `last_used_at` is written at most this often per token (default one minute). */
  touchIntervalMs?: number;
  /** Clock for tests. */
  now?: () => Date;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Token verification shared by every HTTP service. The row is found through the unique index on
 * the secret's sha256 (a lookup keyed by a hash reveals nothing about how close a guess was);
 * hash and prefix are then compared in constant time, so a row is accepted only when both match.
 */
export function createTokenVerifier(db: Kysely<Database>, options: TokenVerifierOptions = {}): TokenVerifier {
  const touchIntervalMs = options.touchIntervalMs ?? 60_000;
  const now = options.now ?? (() => new Date());

  return {
    async verify(authorization) {
      if (!authorization || authorization.trim() === '') throw new AuthError('missing_token');
      const bearer = BEARER.exec(authorization);
      if (!bearer) throw new AuthError('missing_token', 'the Authorization header must be "Bearer <token>"');
      const parts = parseToken(bearer[1]!);
      if (!parts) throw new AuthError('invalid_token');

      const hash = hashToken(parts.secret);
      // Before the organization is known: the narrow cross-tenant lookup of migration 0006.
      const { rows: candidates } = await sql<{
        id: number;
        organization_id: number;
        environment_id: number | null;
        role: string;
        token_hash: Buffer;
        token_prefix: string;
        expires_at: Date | null;
        revoked_at: Date | null;
        last_used_at: Date | null;
        organization_active: boolean | null;
      }>`SELECT * FROM dg_api_token_candidates(${hash})`.execute(db);

      const row = candidates.find(
        (c) => sameBytes(Buffer.from(c.token_hash), hash) && sameBytes(Buffer.from(c.token_prefix), Buffer.from(parts.prefix)),
      );
      if (!row) throw new AuthError('invalid_token');

      const at = now();
      if (row.revoked_at !== null) throw new AuthError('revoked_token');
      if (row.expires_at !== null && new Date(row.expires_at) <= at) throw new AuthError('expired_token');
      if (row.organization_active === false) throw new AuthError('forbidden', 'the organization is deactivated');

      const tokenId = Number(row.id);
      if (row.last_used_at === null || at.getTime() - new Date(row.last_used_at).getTime() >= touchIntervalMs) {
        await touch(db, tokenId, touchIntervalMs);
      }
      return {
        tokenId,
        orgId: Number(row.organization_id),
        envId: row.environment_id === null ? null : Number(row.environment_id),
        role: row.role as Role,
      };
    },
  };
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Conditional, so concurrent requests with one token write at most once per interval (migration 0006). */
async function touch(db: Kysely<Database>, tokenId: number, intervalMs: number): Promise<void> {
  await sql`SELECT dg_touch_api_token(${tokenId}::integer, ${intervalMs / 1000}::double precision)`.execute(db);
}
