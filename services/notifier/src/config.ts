import type { z } from 'zod';
import { baseConfigSchema, parseConfig, portVar, requireMasterKeyInProduction, type Env } from '@driftguard/runtime/boot';

/** Environment of the notifier service: the shared variables, PORT defaulting to 8084. */
export const notifierConfigSchema = baseConfigSchema.extend({ PORT: portVar(8084) }).check(requireMasterKeyInProduction);

export type NotifierConfig = Readonly<z.output<typeof notifierConfigSchema>>;

/** Parses the environment once; throws a ConfigError naming each bad variable. */
export function loadNotifierConfig(env: Env): NotifierConfig {
  return parseConfig(notifierConfigSchema, env);
}
