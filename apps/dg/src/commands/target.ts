import { UsageError } from '../cli-errors.js';

/** `<org>/<env>` (environment required) or `<org>[/<env>]`. */
export function parseTarget(text: string, envRequired: true): { org: string; env: string };
export function parseTarget(text: string, envRequired: false): { org: string; env: string | undefined };
export function parseTarget(text: string, envRequired: boolean): { org: string; env: string | undefined } {
  const parts = text.split('/');
  const [org, env] = parts;
  if (!org || parts.length > 2 || (parts.length === 2 && !env) || (envRequired && !env)) {
    throw new UsageError(`expected ${envRequired ? '<org>/<env>' : '<org> or <org>/<env>'}, got "${text}"`);
  }
  return { org, env };
}
