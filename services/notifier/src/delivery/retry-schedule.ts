/**
 * When to try a delivery again after attempt `attempt` (1-based) failed retryably, or undefined
 * when the schedule is exhausted. The wait is the schedule's step with ±20 % jitter (Svix's
 * policy), never shorter than the provider's Retry-After.
 */
export function nextAttemptDelay(
  schedule: readonly number[],
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  const base = schedule[attempt - 1];
  if (base === undefined) return undefined;
  const jittered = Math.round(base * (0.8 + 0.4 * random()));
  return Math.max(jittered, retryAfterMs ?? 0);
}
