import { type z } from 'zod';
import { ConfigError, type ConfigIssue } from './config-error.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Variables whose values must never be echoed back in an error message. */
const SECRET_NAME = /KEY|SECRET|TOKEN|PASSWORD|CREDENTIAL/i;

/**
 * Validates `env` against `schema` once: empty strings count as unset, values are coerced by
 * the schema, and the result is frozen. Throws a `ConfigError` naming each bad variable.
 */
export function parseConfig<S extends z.ZodObject>(schema: S, env: Env = process.env): Readonly<z.output<S>> {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && value !== '') present[name] = value;

  const result = schema.safeParse(present);
  if (!result.success) throw new ConfigError(describeIssues(result.error.issues, present));
  return deepFreeze(result.data);
}

function describeIssues(issues: readonly z.core.$ZodIssue[], env: Record<string, string>): ConfigIssue[] {
  const byVariable = new Map<string, string>();
  for (const issue of issues) {
    const variable = issue.path.length > 0 ? String(issue.path[0]) : '(environment)';
    if (byVariable.has(variable)) continue; // the first reason per variable is the useful one
    byVariable.set(variable, reasonFor(variable, issue, env[variable]));
  }
  return [...byVariable].map(([variable, reason]) => ({ variable, reason }));
}

function reasonFor(variable: string, issue: z.core.$ZodIssue, raw: string | undefined): string {
  const message = issue.message.replace(/^Invalid input: /, '');
  if (raw === undefined) return issue.code === 'invalid_type' ? 'required' : message;
  if (SECRET_NAME.test(variable)) return message;
  return `${message}, got ${JSON.stringify(withoutUserinfo(raw))}`;
}

/** `postgres://user:pw@host/db` → `postgres://***@host/db`, so a bad URL never leaks a password. */
function withoutUserinfo(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@');
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value) && !Buffer.isBuffer(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
