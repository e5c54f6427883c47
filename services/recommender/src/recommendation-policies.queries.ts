import { RecommendationPolicyDocument } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import type { Kysely } from 'kysely';
import { DEFAULT_POLICY } from './policy/default-policy.js';
import type { PolicyLayer } from './policy/policy.evaluate.js';

/**
 * The policy layers for an environment, most specific first: its own override, its
 * organization's, then the defaults. Read-only (the api owns recommendation_policies). A stored
 * document that no longer validates is skipped with a warning rather than trusted.
 */
export async function policyLayers(
  db: Kysely<Database>,
  orgId: number,
  envId: number,
  log: { warn(obj: object, msg: string): void },
): Promise<PolicyLayer[]> {
  const rows = await db
    .selectFrom('recommendation_policies')
    .select(['environment_id', 'version', 'document'])
    .where('organization_id', '=', orgId)
    .where((eb) => eb.or([eb('environment_id', '=', envId), eb('environment_id', 'is', null)]))
    .where('retired_at', 'is', null)
    .orderBy('version', 'desc')
    .execute();
  const layers: PolicyLayer[] = [];
  for (const scope of ['environment', 'organization'] as const) {
    const row = rows.find((r) => (scope === 'environment' ? r.environment_id === envId : r.environment_id === null));
    if (!row) continue;
    const parsed = RecommendationPolicyDocument.safeParse(row.document);
    if (parsed.success) layers.push({ source: scope, version: row.version, document: parsed.data });
    else log.warn({ orgId, envId, scope, version: row.version }, 'stored recommendation policy is invalid; skipped');
  }
  layers.push({ source: 'default', version: 0, document: DEFAULT_POLICY });
  return layers;
}
