import { z } from 'zod';
import { baseConfigSchema, parseConfig, portVar, requireMasterKeyInProduction, type Env } from '@driftguard/runtime/boot';

const ms = (def: number, min = 1) => z.coerce.number({ error: 'expected milliseconds' }).int().min(min).default(def);

/** Environment of the ingest service: the shared variables, PORT 8081, and scan processing knobs. */
export const ingestConfigSchema = baseConfigSchema
  .extend({
    PORT: portVar(8081),
    /** A scan processor that has not renewed its claim for this long is presumed dead. */
    DG_SCAN_LEASE_MS: ms(30_000, 500),
    /** Drifts written per transaction. */
    DG_SCAN_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
    /** How often an idle processor looks for scans (it is also woken when one is accepted). */
    DG_SCAN_POLL_MS: ms(1_000, 10),
    /** Scans processed at once by one instance, each of another environment (the queue gives one per environment at a time). */
    DG_SCAN_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(4),
    /** Starts of one scan before it is marked failed. */
    DG_SCAN_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
    /** Worker threads that parse scan bodies (each holds at most one scan in memory at a time). */
    DG_SCAN_PARSE_WORKERS: z.coerce.number().int().min(1).max(16).default(1),
    /** How often git-backed repositories are re-read. */
    DG_REPO_SYNC_INTERVAL_MS: ms(15 * 60_000, 1_000),
    /**
     * Lets repositories be local paths or file:// URLs (a single-tenant install syncing from a
     * mirror on the host). Off by default: a tenant must not read repositories on the ingest host.
     * Only the file protocol: network targets are governed by DG_OUTBOUND_ALLOW.
     */
    DG_REPO_ALLOW_LOCAL: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  })
  .check(requireMasterKeyInProduction)
  .check((ctx) => {
    // Hashes of masked secrets are keyed with it. Only `dg up` on its embedded database runs
    // without one set, and it creates and passes a local key (apps/dg embedded-master-key.ts).
    if (ctx.value.DATABASE_URL && !ctx.value.DG_MASTER_KEY) {
      ctx.issues.push({
        code: 'custom',
        path: ['DG_MASTER_KEY'],
        message: 'required when DATABASE_URL is set (it keys the hashes of masked secrets)',
        input: undefined,
      });
    }
  });

export type IngestConfig = Readonly<z.output<typeof ingestConfigSchema>>;

/** Parses the environment once; throws a ConfigError naming each bad variable. */
export function loadIngestConfig(env: Env): IngestConfig {
  return parseConfig(ingestConfigSchema, env);
}
