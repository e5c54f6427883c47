import type { z } from 'zod';
import { baseConfigSchema, parseConfig, portVar, requireMasterKeyInProduction, type Env } from '@driftguard/runtime/boot';

/** Environment of the analysis service: the shared variables, PORT defaulting to 8082. */
export const analysisConfigSchema = baseConfigSchema.extend({ PORT: portVar(8082) }).check(requireMasterKeyInProduction);

export type AnalysisConfig = Readonly<z.output<typeof analysisConfigSchema>>;

/** Parses the environment once; throws a ConfigError naming each bad variable. */
export function loadAnalysisConfig(env: Env): AnalysisConfig {
  return parseConfig(analysisConfigSchema, env);
}
