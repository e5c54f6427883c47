/**
 * Property names whose values are secrets wherever they appear in a log object. pino redacts by
 * path and its wildcards are positional, so each name is listed at the top level and under one,
 * two and three levels of nesting (`password`, `*.password`, `*.*.password`, `*.*.*.password`).
 */
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'cookie',
  'password',
  'passwd',
  'secret',
  'token',
  'apiKey',
  'api_key',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'clientSecret',
  'client_secret',
  'credentials',
  'privateKey',
  'private_key',
  'secretKey',
  'masterKey',
  'routingKey',
  'integrationKey',
  'webhookUrl',
  'webhook_url',
  'encryptedCredentials',
  'encrypted_credentials',
  'tokenHash',
  'token_hash',
  'DG_MASTER_KEY',
  'DATABASE_URL',
] as const;

/** Exact paths outside the generic names: HTTP headers as fastify and node expose them. */
const HEADER_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers["x-api-key"]',
  'headers["set-cookie"]',
  '*.headers["x-api-key"]',
];

function bracket(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
}

export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS.flatMap((key) => {
    const k = bracket(key);
    return [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`];
  }),
  ...HEADER_PATHS,
];

export const REDACTED = '[redacted]';

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^@/\s]+@/gi;
const DRIFTGUARD_TOKEN = /\bdg_[A-Za-z0-9]{8}_[A-Za-z0-9_-]+/g;
const BEARER = /\b(Bearer\s+)[^\s"',]+/gi;

/**
 * Masks secrets that hide inside free text (error messages, stacks): URL credentials, DriftGuard
 * API tokens and bearer values. Path redaction cannot reach those.
 */
export function scrubText(text: string): string {
  return text.replace(URL_USERINFO, '$1***@').replace(DRIFTGUARD_TOKEN, 'dg_[redacted]').replace(BEARER, `$1${REDACTED}`);
}
