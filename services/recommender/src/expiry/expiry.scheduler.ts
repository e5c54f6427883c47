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
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  let running: Promise<void> | undefined;

  const runOnce = (): Promise<void> => {
    running ??= expireRecommendations({ ...options, log })
      .then(() => undefined)
      .catch((err: unknown) => log.error({ err }, 'recommendation expiry sweep failed'))
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const schedule = (delayMs: number): void => {
    if (stopping) return;
    timer = setTimeout(() => {
      void runOnce().then(() => schedule(options.intervalMs));
    }, delayMs);
    timer.unref();
  };

  return {
    start() {
      if (timer === undefined && !stopping) schedule(0);
    },
    async stop() {
      stopping = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
    runOnce,
  };
}
