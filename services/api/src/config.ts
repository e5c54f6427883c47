import type { z } from 'zod';
import { baseConfigSchema, parseConfig, portVar, requireMasterKeyInProduction, type Env } from '@driftguard/runtime/boot';

/** Environment of the api service: the shared variables, PORT defaulting to 8080. */
export const apiConfigSchema = baseConfigSchema.extend({ PORT: portVar(8080) }).check(requireMasterKeyInProduction);

export type ApiConfig = Readonly<z.output<typeof apiConfigSchema>>;

/** Parses the environment once; throws a ConfigError naming each bad variable. */
export function loadApiConfig(env: Env): ApiConfig {
  return parseConfig(apiConfigSchema, env);
}
