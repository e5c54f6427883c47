import { z } from 'zod';
import { baseConfigSchema, parseConfig, portVar, requireMasterKeyInProduction, type Env } from '@driftguard/runtime/boot';

/**
 * Environment of the analysis service: the shared variables, PORT defaulting to 8082, and
 * DG_ANALYSIS_LOOKBACK_HOURS, how far before a drift's observation context signals are
 * correlated with it (default 24), and DG_ANALYSIS_BATCH, how many drifts received together one
 * transaction may analyze (default 64; 1 gives each its own).
 */
export const analysisConfigSchema = baseConfigSchema
  .extend({
    PORT: portVar(8082),
    DG_ANALYSIS_LOOKBACK_HOURS: z.coerce
      .number({ error: 'expected hours' })
      .positive()
      .max(24 * 30)
      .default(24),
    DG_ANALYSIS_BATCH: z.coerce.number({ error: 'expected a number' }).int().min(1).max(256).default(64),
  })
  .check(requireMasterKeyInProduction);

export type AnalysisConfig = Readonly<z.output<typeof analysisConfigSchema>>;

/** Parses the environment once; throws a ConfigError naming each bad variable. */
export function loadAnalysisConfig(env: Env): AnalysisConfig {
  return parseConfig(analysisConfigSchema, env);
}
