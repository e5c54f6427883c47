import type { EnvironmentSummary } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import type { Kysely } from 'kysely';
import { z } from 'zod';

const Tags = z.record(z.string(), z.unknown());

/**
 * The environment as an alert names it, read (read-only; environments belong to the api) when
 * the message at hand does not carry it: drift.detected in degraded mode, older publishers.
 * Production by its `tier`/`env`/`environment`/`stage` tag, else by its name, as analysis decides.
 */
export async function environmentSummary(db: Kysely<Database>, envId: number): Promise<EnvironmentSummary | null> {
  const env = await db
    .selectFrom('environments')
    .select(['name', 'slug', 'tags', 'cloud_provider', 'account_id', 'region'])
    .where('id', '=', envId)
    .executeTakeFirst();
  if (!env) return null;
  const parsed = Tags.safeParse(env.tags);
  const tier = Object.entries(parsed.success ? parsed.data : {}).find(([k]) => /^(tier|env|environment|stage)$/i.test(k))?.[1];
  const production =
    typeof tier === 'string'
      ? /^prod/i.test(tier)
      : /(^|[-_ ])prod(uction)?($|[-_ ])/i.test(env.name) || /(^|[-_])prod(uction)?($|[-_])/i.test(env.slug);
  return {
    name: env.name,
    slug: env.slug,
    tier: typeof tier === 'string' ? tier : null,
    production,
    cloudProvider: env.cloud_provider,
    accountId: env.account_id,
    region: env.region,
  };
}
