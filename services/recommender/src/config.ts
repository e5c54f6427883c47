import type { z } from 'zod';
import { baseConfigSchema, parseConfig, portVar, requireMasterKeyInProduction, type Env } from '@driftguard/runtime/boot';

/** Environment of the recommender service: the shared variables, PORT defaulting to 8083. */
export const recommenderConfigSchema = baseConfigSchema.extend({ PORT: portVar(8083) }).check(requireMasterKeyInProduction);

export type RecommenderConfig = Readonly<z.output<typeof recommenderConfigSchema>>;

/** Parses the environment once; throws a ConfigError naming each bad variable. */
export function loadRecommenderConfig(env: Env): RecommenderConfig {
  return parseConfig(recommenderConfigSchema, env);
}
