/** A round of work run on a timer, one round at a time, that stops cleanly. */
export interface RepeatingTask<T> {
  /** Schedules the first round right away; a second call, or one after stop, does nothing. */
  start(): void;
  /** Stops scheduling and waits for the round in progress; safe to call twice. */
  stop(): Promise<void>;
  /** Runs one round now, or joins the one in progress; resolves with its result. */
  runOnce(): Promise<T>;
  /** True once stop was called: long rounds check it between items and return early. */
  readonly stopping: boolean;
}

export interface RepeatingTaskOptions<T> {
  /** One round. It never throws out of the task: a failure goes to `onError`. */
  round: () => Promise<T>;
  /** What a failed round counts as, after `onError` saw its error. */
  onError: (err: unknown) => T;
  /** The wait after a round, given its result. */
  nextDelayMs: (result: T) => number;
  /** Called after each round, when the task is not stopping (e.g. to start another for work that arrived meanwhile). */
  afterRound?: () => void;
}

/**
 * The timer loop every DriftGuard scheduler shares: rounds never overlap within a process (a
 * round asked for while one runs joins it), the next is scheduled after the last one ends, timers
 * do not keep the process alive, and `stop()` returns once the round in progress is done.
 * Several processes may run the same task: the rounds themselves must be safe to repeat.
 */
export function createRepeatingTask<T>(options: RepeatingTaskOptions<T>): RepeatingTask<T> {
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  let running: Promise<T> | undefined;

  const runOnce = (): Promise<T> => {
    running ??= options
      .round()
      .catch((err: unknown) => options.onError(err))
      .finally(() => {
        running = undefined;
        if (!stopping) options.afterRound?.();
      });
    return running;
  };

  const schedule = (delayMs: number): void => {
    if (stopping) return;
    timer = setTimeout(() => {
      void runOnce().then((result) => schedule(options.nextDelayMs(result)));
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
    get stopping() {
      return stopping;
    },
  };
}
