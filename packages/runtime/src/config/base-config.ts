import { hostname } from 'node:os';
import { z } from 'zod';
import { masterKeyProblem } from './master-key.js';
import { outboundAllowVar } from '../net/outbound-allow.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const SUBJECT_TOKEN = /^[A-Za-z0-9_-]+$/;

/** A URL whose scheme is one of `protocols` (without the colon). */
export function urlVar(protocols: readonly string[]) {
  return z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { error: `expected a ${protocols.join(' or ')} URL` },
  );
}

/** A TCP port; `0` asks the OS for a free one (tests). */
export function portVar(defaultPort: number) {
  return z.coerce
    .number({ error: 'expected a number' })
    .int({ error: 'expected an integer' })
    .min(0, { error: 'expected a port between 0 and 65535' })
    .max(65535, { error: 'expected a port between 0 and 65535' })
    .default(defaultPort);
}

/**
 * Variables every DriftGuard process understands. Services extend it
 * (`baseConfigSchema.extend({ PORT: portVar(8082) })`) and parse it with `parseConfig`.
 */
export const baseConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** Absent: `dg up` uses embedded PGlite; a standalone service refuses to start. */
  DATABASE_URL: urlVar(['postgres', 'postgresql']).optional(),
  NATS_URL: z
    .string()
    .refine((v) => v.split(',').every((u) => /^(nats|tls|wss?):\/\/[^\s]+$/.test(u.trim()) || /^[\w.-]+:\d+$/.test(u.trim())), {
      error: 'expected nats://host:port (comma-separated for a cluster)',
    })
    .default('nats://127.0.0.1:4222'),
  PORT: portVar(0).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  /** `kid:base64(32 bytes)[,…]`, turned into keys by `Keyring.parse` (@driftguard/db). Required in production. */
  DG_MASTER_KEY: z
    .string()
    .check((ctx) => {
      const problem = masterKeyProblem(ctx.value);
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
    })
    .optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: urlVar(['http', 'https']).optional(),
  DG_SUBJECT_ROOT: z.string().regex(SUBJECT_TOKEN, { error: 'expected letters, digits, _ or -' }).default('dg'),
  DG_STREAM_PREFIX: z.string().regex(SUBJECT_TOKEN, { error: 'expected letters, digits, _ or -' }).default('DG_'),
  /** Replicas of every JetStream stream DriftGuard declares: 1 on a single server, 3 on a cluster (R3). */
  DG_STREAM_REPLICAS: z.coerce.number({ error: 'expected 1 to 5' }).int().min(1).max(5).default(1),
  /** Names this process in NATS connection names and logs; several instances share consumers. */
  DG_INSTANCE_ID: z
    .string()
    .min(1)
    .default(() => `${hostname()}-${process.pid}`),
  /** Addresses, ranges or hosts outbound requests (git, webhooks) may reach although internal: `127.0.0.1,::1,git.corp:443`. */
  DG_OUTBOUND_ALLOW: outboundAllowVar(),
});

/** Requires `DG_MASTER_KEY` when `NODE_ENV=production`; add to a service schema with `.check()`. */
export function requireMasterKeyInProduction(
  ctx: z.core.ParsePayload<{ NODE_ENV: string; DG_MASTER_KEY?: string | undefined }>,
): void {
  if (ctx.value.NODE_ENV === 'production' && !ctx.value.DG_MASTER_KEY) {
    ctx.issues.push({ code: 'custom', path: ['DG_MASTER_KEY'], message: 'required when NODE_ENV=production', input: undefined });
  }
}

export type BaseConfig = z.output<typeof baseConfigSchema>;
