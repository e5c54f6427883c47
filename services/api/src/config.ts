import { z } from 'zod';
import { baseConfigSchema, parseConfig, portVar, requireMasterKeyInProduction, urlVar, type Env } from '@driftguard/runtime/boot';

const minutes = (def: number) => z.coerce.number({ error: 'expected minutes' }).int().min(1).max(525_600).default(def);
const ms = (def: number, min = 1) => z.coerce.number({ error: 'expected milliseconds' }).int().min(min).default(def);
const days = (def: number, min: number) => z.coerce.number({ error: 'expected days' }).int().min(min).default(def);
const flag = (def: 'true' | 'false') =>
  z
    .enum(['true', 'false'])
    .default(def)
    .transform((v) => v === 'true');

/**
 * Where verified audit archives go: `s3://bucket[/prefix]` (the S3 API, with
 * DG_ARCHIVE_S3_ENDPOINT for a compatible store) or `file:///dir` / an absolute directory path.
 */
const archiveTarget = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(v);
    if (s3) return { kind: 's3' as const, bucket: s3[1] ?? '', prefix: (s3[2] ?? '').replace(/\/+$/, '') };
    if (v.startsWith('file://')) return { kind: 'directory' as const, path: decodeURIComponent(new URL(v).pathname) };
    if (v.startsWith('/')) return { kind: 'directory' as const, path: v };
    ctx.addIssue({ code: 'custom', message: 'expected s3://bucket[/prefix], file:///dir or an absolute directory' });
    return z.NEVER;
  });

/** Environment of the api service: the shared variables, PORT 8080, console sessions, OpenID Connect and the data lifecycle jobs. */
export const apiConfigSchema = baseConfigSchema
  .extend({
    PORT: portVar(8080),
    /** A console session ends this long after sign-in, however active (absolute expiry). */
    DG_SESSION_TTL_MINUTES: minutes(12 * 60),
    /** A console session unused for this long ends (idle timeout). */
    DG_SESSION_IDLE_MINUTES: minutes(30),
    /** Marks the session cookie `Secure` (sent over HTTPS only). Only a plain-HTTP local install turns it off. */
    DG_COOKIE_SECURE: flag('true'),
    /** Origins (comma-separated) the console is served from, besides the api's own host. */
    DG_CONSOLE_ORIGINS: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((o) => o.trim())
          .filter((o) => o !== ''),
      )
      .refine((list) => list.every((o) => /^https?:\/\/[^/\s]+$/.test(o)), {
        error: 'expected origins like https://console.example.com',
      }),
    /** Key (at least 32 characters) that signs the short-lived OpenID Connect sign-in cookie; default: derived from DG_MASTER_KEY. */
    DG_COOKIE_SECRET: z.string().min(32, { error: 'expected at least 32 characters' }).optional(),
    /** OpenID Connect provider (issuer URL); with the three below, enables `GET /v1/auth/oidc/login`. */
    DG_OIDC_ISSUER: urlVar(['http', 'https']).optional(),
    DG_OIDC_CLIENT_ID: z.string().min(1).optional(),
    DG_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    /** The api's callback as registered at the provider: `https://<api>/v1/auth/oidc/callback`. */
    DG_OIDC_REDIRECT_URI: urlVar(['http', 'https']).optional(),
    /** Where the browser goes after an OpenID Connect sign-in (default `/`). */
    DG_OIDC_AFTER_LOGIN_URL: z.string().startsWith('/', { error: 'expected a path such as /console' }).default('/'),
    /** Requests one API token (or console session) may make per DG_API_RATE_WINDOW_MS; beyond, 429 with Retry-After. */
    DG_API_RATE_LIMIT: z.coerce.number().int().min(1).default(600),
    DG_API_RATE_WINDOW_MS: ms(60_000, 1_000),
    /** Largest JSON body of a control-plane request, in bytes. */
    DG_API_BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(10 * 1024 * 1024)
      .default(256 * 1024),
    /** Runs the lifecycle jobs on their schedule inside the service (several instances may: each job takes a lock). */
    DG_JOBS_ENABLED: flag('true'),
    /** How often the daily rollup recomputes yesterday and today. */
    DG_ROLLUP_INTERVAL_MS: ms(60 * 60_000, 1_000),
    /** How often what the scans' ignore rules suppressed is added to each rule's count. */
    DG_IGNORE_COUNTS_INTERVAL_MS: ms(60_000, 1_000),
    /** How often partitions, retention, audit archive and model pruning run. */
    DG_RETENTION_INTERVAL_MS: ms(6 * 60 * 60_000, 1_000),
    /** Monthly audit_log partitions kept ready beyond the current month. */
    DG_AUDIT_PARTITIONS_AHEAD: z.coerce.number().int().min(4).max(24).default(6),
    /** Resolved drifts (and their changes, analyses, recommendations, notifications) older than this are removed once rolled up. */
    DG_DRIFT_RETENTION_DAYS: days(90, 30),
    /** audit_log partitions whose month ended longer ago than this are archived, verified, then dropped. */
    DG_AUDIT_ARCHIVE_AFTER_DAYS: days(365, 365),
    /** Archives older than this are deleted (7 years). */
    DG_AUDIT_ARCHIVE_KEEP_DAYS: days(7 * 365 + 2, 365),
    /** Versions of each ML model kept (the active one always stays). */
    DG_ML_KEEP_VERSIONS: z.coerce.number().int().min(1).default(5),
    DG_ARCHIVE_TARGET: archiveTarget,
    /** An S3-compatible endpoint (MinIO, Ceph, moto); unset: AWS. Addressed path-style when set. */
    DG_ARCHIVE_S3_ENDPOINT: z.url().optional(),
    DG_ARCHIVE_S3_REGION: z.string().min(1).default('us-east-1'),
    /** Static credentials; unset: the AWS SDK's default provider chain (environment, profile, instance role). */
    DG_ARCHIVE_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    DG_ARCHIVE_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  })
  .check(requireMasterKeyInProduction)
  .check((ctx) => {
    const oidc = ['DG_OIDC_ISSUER', 'DG_OIDC_CLIENT_ID', 'DG_OIDC_REDIRECT_URI'] as const;
    const given = oidc.filter((name) => ctx.value[name] !== undefined);
    if (given.length > 0 && given.length < oidc.length) {
      for (const name of oidc.filter((n) => ctx.value[n] === undefined)) {
        ctx.issues.push({ code: 'custom', path: [name], message: `required with ${given.join(', ')}`, input: undefined });
      }
    }
  })
  .check((ctx) => {
    const { DG_ARCHIVE_S3_ACCESS_KEY_ID: id, DG_ARCHIVE_S3_SECRET_ACCESS_KEY: secret } = ctx.value;
    if ((id === undefined) !== (secret === undefined)) {
      ctx.issues.push({
        code: 'custom',
        path: [id === undefined ? 'DG_ARCHIVE_S3_ACCESS_KEY_ID' : 'DG_ARCHIVE_S3_SECRET_ACCESS_KEY'],
        message: 'set both DG_ARCHIVE_S3_ACCESS_KEY_ID and DG_ARCHIVE_S3_SECRET_ACCESS_KEY, or neither',
        input: undefined,
      });
    }
  });

export type ApiConfig = Readonly<z.output<typeof apiConfigSchema>>;

/** Parses the environment once; throws a ConfigError naming each bad variable. */
export function loadApiConfig(env: Env): ApiConfig {
  return parseConfig(apiConfigSchema, env);
}
