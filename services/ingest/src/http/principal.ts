import type { Kysely } from 'kysely';
import type { Database } from '@driftguard/db';
import type { Problem } from './problem.js';

/** Who is calling, from their API token. */
export interface Principal {
  tokenId: number;
  orgId: number;
  envId: number | null;
  role: string;
}

/** Verifies an Authorization header value; throws an error with a `code` when it is not valid. */
export type Verify = (authorization: string | undefined) => Promise<Principal>;

type EnvResult = { ok: true; orgId: number; envId: number } | { ok: false; problem: Problem };

/**
 * The environment a request acts on: the token's own for an environment-scoped token (an
 * `<org>/<env>` given as well must name it), else the `<org>/<env>` asked for, within the
 * token's organization.
 */
export async function resolveEnvironment(db: Kysely<Database>, p: Principal, requested: string | undefined): Promise<EnvResult> {
  if (!requested) {
    if (p.envId === null) return { ok: false, problem: { status: 400, title: 'Environment required', detail: 'this token is not scoped to an environment; pass env=<org>/<env>' } };
    return { ok: true, orgId: p.orgId, envId: p.envId };
  }
  const [orgSlug, envSlug] = requested.split('/') as [string, string];
  const env = await db
    .selectFrom('environments')
    .innerJoin('organizations', 'organizations.id', 'environments.organization_id')
    .select(['environments.id as envId', 'organizations.id as orgId'])
    .where('organizations.slug', '=', orgSlug)
    .where('environments.slug', '=', envSlug)
    .executeTakeFirst();
  if (!env || env.orgId !== p.orgId) {
    return { ok: false, problem: { status: 404, title: 'Environment not found', detail: `no environment ${requested} in your organization` } };
  }
  if (p.envId !== null && p.envId !== env.envId) {
    return { ok: false, problem: { status: 403, title: 'Forbidden', detail: `this token is scoped to another environment than ${requested}` } };
  }
  return { ok: true, orgId: env.orgId, envId: env.envId };
}
