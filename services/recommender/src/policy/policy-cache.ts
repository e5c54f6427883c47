import type { Database } from '@driftguard/db';
import type { Kysely } from 'kysely';
import { policyLayers } from '../recommendation-policies.queries.js';
import type { PolicyLayer } from './policy.evaluate.js';

export interface PolicyCache {
  /** The environment's policy layers, read at most once per `ttlMs` (every time when 0). */
  layers(
    db: Kysely<Database>,
    orgId: number,
    envId: number,
    log: { warn(obj: object, msg: string): void },
  ): Promise<PolicyLayer[]>;
}

/**
 * Policy overrides change rarely and every analysed drift needs them: a new version takes
 * effect within `ttlMs`. Entries are per (organization, environment) and bounded in number.
 */
export function createPolicyCache(ttlMs: number, maxEntries = 10_000): PolicyCache {
  const entries = new Map<string, { at: number; layers: PolicyLayer[] }>();
  return {
    async layers(db, orgId, envId, log) {
      if (ttlMs === 0) return policyLayers(db, orgId, envId, log);
      const key = `${orgId}/${envId}`;
      const hit = entries.get(key);
      const now = Date.now();
      if (hit && now - hit.at < ttlMs) return hit.layers;
      const layers = await policyLayers(db, orgId, envId, log);
      if (entries.size >= maxEntries) entries.clear();
      entries.set(key, { at: now, layers });
      return layers;
    },
  };
}
