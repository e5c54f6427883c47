import { z } from 'zod';
import { baseConfigSchema, parseConfig, portVar, requireMasterKeyInProduction, urlVar, type Env } from '@driftguard/runtime/boot';

const ms = (def: number) => z.coerce.number({ error: 'expected milliseconds' }).int().nonnegative().default(def);

/** `5000,30000,120000`: the waits before each retry of a delivery; its length is the number of retries. */
const retryScheduleVar = z
  .string()
  .default('5000,30000,120000,600000,1800000,7200000')
  .transform((text, ctx) => {
    const waits = text.split(',').map((s) => Number(s.trim()));
    if (waits.length === 0 || waits.some((n) => !Number.isInteger(n) || n < 0)) {
      ctx.issues.push({ code: 'custom', message: 'expected comma-separated milliseconds', input: text });
      return z.NEVER;
    }
    return waits;
  });

/**
 * Environment of the notifier service: the shared variables, PORT defaulting to 8084, and the
 * timing of grouping and delivery (README: "Configuration").
 */
export const notifierConfigSchema = baseConfigSchema
  .extend({
    PORT: portVar(8084),
    /** how many drifts of one organization received together join their groups in one transaction (1: each alone) */
    DG_NOTIFIER_BATCH: z.coerce.number({ error: 'expected a number' }).int().min(1).max(256).default(64),
    /** wait before a new group's first notification (0 for critical drifts whatever this says) */
    DG_NOTIFIER_GROUP_WAIT_MS: ms(30_000),
    /** wait before notifying changes of a group already notified */
    DG_NOTIFIER_GROUP_INTERVAL_MS: ms(300_000),
    /** reminder of a group still open */
    DG_NOTIFIER_REPEAT_INTERVAL_MS: ms(4 * 3600_000),
    /** how long a security-critical drift waits for its analysis before it pages with what is known */
    DG_NOTIFIER_ANALYSIS_WAIT_MS: ms(20_000),
    /** what else than the environment splits groups: `scan`, `resource_type` (comma-separated) or empty */
    DG_NOTIFIER_GROUP_BY: z
      .string()
      .default('')
      .transform((s) =>
        s
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.enum(['scan', 'resource_type']))),
    DG_NOTIFIER_RETRY_SCHEDULE_MS: retryScheduleVar,
    /** how long a claimed delivery is held before another instance may take it over */
    DG_NOTIFIER_LEASE_MS: ms(30_000),
    DG_NOTIFIER_POLL_MS: ms(250),
    /** per-request timeout of a provider call */
    DG_NOTIFIER_REQUEST_TIMEOUT_MS: ms(15_000),
    /** a channel failing this long is marked unhealthy and reported on another channel */
    DG_NOTIFIER_UNHEALTHY_AFTER_MS: ms(15 * 60_000),
    /** the console, where an alert's links lead */
    DG_CONSOLE_URL: urlVar(['http', 'https']).default('http://127.0.0.1:8080'),
    /** this service as people reach it: the base of the tracked links (`/r/<token>`) */
    DG_NOTIFIER_PUBLIC_URL: urlVar(['http', 'https']).default('http://127.0.0.1:8084'),
  })
  .check(requireMasterKeyInProduction);

export type NotifierConfig = Readonly<z.output<typeof notifierConfigSchema>>;

/** Parses the environment once; throws a ConfigError naming each bad variable. */
export function loadNotifierConfig(env: Env): NotifierConfig {
  return parseConfig(notifierConfigSchema, env);
}
