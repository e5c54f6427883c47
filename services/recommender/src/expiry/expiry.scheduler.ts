import { createRepeatingTask } from '@driftguard/runtime/boot';
import { expireRecommendations, type ExpiryContext } from './recommendation-expiry.js';

export interface ExpirySchedulerOptions extends ExpiryContext {
  intervalMs: number;
}

export interface ExpiryScheduler {
  start(): void;
  /** Stops scheduling and waits for the sweep in progress; safe to call twice. */
  stop(): Promise<void>;
  /** Runs one sweep now (or joins the one in progress); resolves when it is done. */
  runOnce(): Promise<void>;
}

/**
 * Runs the expiry sweep every `intervalMs`, first right after start. Every instance may run it:
 * the sweep itself keeps each recommendation to one run. A failing sweep is logged and the next
 * one runs on time.
 */
export function createExpiryScheduler(options: ExpirySchedulerOptions): ExpiryScheduler {
  const log = options.log.child({ subsystem: 'recommender:expiry' });
  const task = createRepeatingTask({
    round: async () => {
      await expireRecommendations({ ...options, log });
    },
    onError: (err) => log.error({ err }, 'recommendation expiry sweep failed'),
    nextDelayMs: () => options.intervalMs,
  });
  return { start: () => task.start(), stop: () => task.stop(), runOnce: () => task.runOnce() };
}
