import { Role } from '@driftguard/contracts';
import { writeAudit, type Database } from '@driftguard/db';
import { generateToken } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { environmentBySlug } from './environments.js';
import { parseInput } from './input.js';
import { organizationBySlug } from './organizations.js';
import { Slug } from './slug.js';

/** Tokens expire unless asked otherwise: a leaked, forgotten token stops working on its own. */
export const DEFAULT_TOKEN_LIFETIME = '90d';

const CreateApiTokenInput = z.object({
  orgSlug: Slug,
  /** Binds the token to one environment; omitted, it is organization-wide. */
  envSlug: Slug.optional(),
  role: z.enum(Role.options, { error: `must be one of ${Role.options.join(', ')}` }),
  /** `'90d'`, `'12h'`, `'30m'`, `'2w'`, or `'never'`; default 90 days. */
  expiresIn: z
    .string()
    .refine((v) => v === 'never' || parseDuration(v) !== undefined, {
      error: 'must be a duration like 90d, 12h, 30m or 2w, or "never"',
    })
    .default(DEFAULT_TOKEN_LIFETIME),
  name: z.string().trim().min(1).max(255).optional(),
});
export type CreateApiTokenInput = z.input<typeof CreateApiTokenInput>;

export interface CreatedApiToken {
  /** The plaintext token. It exists only here: the database keeps its hash. */
  token: string;
  id: number;
  name: string;
  prefix: string;
  role: Role;
  orgId: number;
  envId: number | null;
  expiresAt: Date | null;
}

/**
 * Creates an API token for an organization (or one of its environments) and its audit row in one
 * transaction; returns the plaintext token once. Throws InvalidInputError or NotFoundError.
 */
export async function createApiToken(
  db: Kysely<Database>,
  input: CreateApiTokenInput,
  now: Date = new Date(),
): Promise<CreatedApiToken> {
  const { orgSlug, envSlug, role, expiresIn, name: givenName } = parseInput(CreateApiTokenInput, input, 'token');
  const lifetime = expiresIn === 'never' ? undefined : parseDuration(expiresIn);
  const expiresAt = lifetime === undefined ? null : new Date(now.getTime() + lifetime);
  const { token, prefix, hash } = generateToken();
  const name = givenName ?? `${role}-${prefix}`;

  return db.transaction().execute(async (tx) => {
    const org = await organizationBySlug(tx, orgSlug);
    const env = envSlug === undefined ? null : await environmentBySlug(tx, org.id, orgSlug, envSlug);
    const row = await tx
      .insertInto('api_tokens')
      .values({
        organization_id: org.id,
        environment_id: env?.id ?? null,
        name,
        token_prefix: prefix,
        token_hash: hash,
        role,
        expires_at: expiresAt,
      })
      .returning(['id'])
      .executeTakeFirstOrThrow();
    await writeAudit(tx, {
      organizationId: org.id,
      action: 'api_token.created',
      resourceType: 'api_token',
      resourceId: row.id,
      // Never the token or its hash: the prefix is enough to recognise it.
      newValues: { name, prefix, role, environmentId: env?.id ?? null, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return { token, id: row.id, name, prefix, role, orgId: org.id, envId: env?.id ?? null, expiresAt };
  });
}
