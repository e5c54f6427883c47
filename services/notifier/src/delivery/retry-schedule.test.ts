import { describe, expect, it } from 'vitest';
import { nextAttemptDelay } from './retry-schedule.js';

describe('nextAttemptDelay', () => {
  it('waits each step of the schedule within ±20 % and stops after the last one', () => {
    const schedule = [1000, 10_000];
    expect(nextAttemptDelay(schedule, 1, undefined, () => 0)).toBe(800);
    expect(nextAttemptDelay(schedule, 1, undefined, () => 1)).toBe(1200);
    expect(nextAttemptDelay(schedule, 2, undefined, () => 0.5)).toBe(10_000);
    expect(nextAttemptDelay(schedule, 3, undefined)).toBeUndefined();
  });

  it('never retries before the provider’s Retry-After', () => {
    expect(nextAttemptDelay([100], 1, 2000, () => 1)).toBe(2000);
  });
});
