/** One environment variable that failed validation. */
export interface ConfigIssue {
  variable: string;
  reason: string;
}

/**
 * Thrown by `parseConfig` when the environment does not satisfy a service's schema. The message
 * names every bad or missing variable, so one start-up attempt shows everything to fix.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'invalid_environment' as const;

  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`invalid environment: ${issues.map((i) => `${i.variable}: ${i.reason}`).join('; ')}`);
  }
}
