import { z } from 'zod';
import { baseConfigSchema, parseConfig, portVar, requireMasterKeyInProduction, urlVar, type Env } from '@driftguard/runtime/boot';

const minutes = (def: number) => z.coerce.number({ error: 'expected minutes' }).int().min(1).max(525_600).default(def);
const flag = (def: 'true' | 'false') =>
  z
    .enum(['true', 'false'])
    .default(def)
    .transform((v) => v === 'true');

/** Environment of the api service: the shared variables, PORT 8080, console sessions and OpenID Connect. */
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
    /** Key (at least 32 characters) that signs the short-lived OpenID Connect sign-in cookie; required with OIDC on several instances. */
    DG_COOKIE_SECRET: z.string().min(32, { error: 'expected at least 32 characters' }).optional(),
    /** OpenID Connect provider (issuer URL); with the three below, enables `GET /v1/auth/oidc/login`. */
    DG_OIDC_ISSUER: urlVar(['http', 'https']).optional(),
    DG_OIDC_CLIENT_ID: z.string().min(1).optional(),
    DG_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    /** The api's callback as registered at the provider: `https://<api>/v1/auth/oidc/callback`. */
    DG_OIDC_REDIRECT_URI: urlVar(['http', 'https']).optional(),
    /** Where the browser goes after an OpenID Connect sign-in (default `/`). */
    DG_OIDC_AFTER_LOGIN_URL: z.string().startsWith('/', { error: 'expected a path such as /console' }).default('/'),
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
  });

export type ApiConfig = Readonly<z.output<typeof apiConfigSchema>>;

/** Parses the environment once; throws a ConfigError naming each bad variable. */
export function loadApiConfig(env: Env): ApiConfig {
  return parseConfig(apiConfigSchema, env);
}
