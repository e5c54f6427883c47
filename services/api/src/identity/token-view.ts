import type { TokenView } from '@driftguard/contracts';
import type { ApiToken } from '@driftguard/db';

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

/** A token row as the api shows it: never the hash. */
export function tokenView(row: ApiToken): TokenView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.token_prefix,
    role: row.role,
    environmentId: row.environment_id,
    createdAt: new Date(row.created_at).toISOString(),
    expiresAt: iso(row.expires_at),
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
  };
}

/** The values an audit row keeps of a token (no secret, no hash). */
export function tokenAuditValues(row: ApiToken) {
  const view = tokenView(row);
  return {
    name: view.name,
    prefix: view.prefix,
    role: view.role,
    environmentId: view.environmentId,
    expiresAt: view.expiresAt,
    revokedAt: view.revokedAt,
  };
}
