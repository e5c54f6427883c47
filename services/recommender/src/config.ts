import { z } from 'zod';
import { baseConfigSchema, parseConfig, portVar, requireMasterKeyInProduction, type Env } from '@driftguard/runtime/boot';

/**
 * Environment of the recommender service: the shared variables, PORT defaulting to 8083,
 * DG_RECOMMENDER_CONCURRENCY (analysed drifts handled at once per instance, default 8),
 * DG_RECOMMENDER_BATCH (how many analysed drifts received together one transaction may take,
 * default 64; 1 gives each its own),
 * DG_RECOMMENDER_POLICY_CACHE_MS (how long an environment's policy overrides are reused before
 * they are read again, default 5000; 0 reads them for every drift) and
 * DG_RECOMMENDER_EXPIRY_INTERVAL_MS (how often open recommendations past their expiry are
 * expired, default 60000; 0 turns the sweep off, e.g. when `dg jobs run recommendation-expiry`
 * runs from a scheduler instead).
 */
export const recommenderConfigSchema = baseConfigSchema
  .extend({
    PORT: portVar(8083),
    DG_RECOMMENDER_CONCURRENCY: z.coerce.number({ error: 'expected a number' }).int().min(1).max(64).default(8),
    DG_RECOMMENDER_BATCH: z.coerce.number({ error: 'expected a number' }).int().min(1).max(256).default(64),
    DG_RECOMMENDER_POLICY_CACHE_MS: z.coerce.number({ error: 'expected milliseconds' }).int().min(0).max(600_000).default(5_000),
    DG_RECOMMENDER_EXPIRY_INTERVAL_MS: z.coerce
      .number({ error: 'expected milliseconds' })
      .int()
      .min(0)
      .max(86_400_000)
      .default(60_000),
  })
  .check(requireMasterKeyInProduction);

export type RecommenderConfig = Readonly<z.output<typeof recommenderConfigSchema>>;

/** Parses the environment once; throws a ConfigError naming each bad variable. */
export function loadRecommenderConfig(env: Env): RecommenderConfig {
  return parseConfig(recommenderConfigSchema, env);
}
