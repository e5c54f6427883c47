import type { Logger } from '../logging/logger.js';

/** Anything with an ordered, idempotent `destroy()`: a service, or several composed. */
export interface Destroyable {
  destroy(): Promise<void>;
}

export interface ShutdownHandle {
  /** Runs `fn` after the service is destroyed (flush telemetry, close a shared pool…), in order. */
  onShutdown(fn: () => Promise<void> | void): void;
  /** Starts the same shutdown a signal would (e.g. after a fatal start-up error). */
  shutdown(reason: string, exitCode?: number): Promise<void>;
}

export interface SignalOptions {
  /** Hard deadline for the whole shutdown; exceeded ⇒ exit 1 (default 10 s). */
  deadlineMs?: number;
  /** Process to listen on and exit; the real one unless a test passes a stand-in. */
  proc?: Pick<NodeJS.Process, 'once' | 'exit'>;
}

/**
 * Turns the first SIGTERM or SIGINT into `service.destroy()` followed by the `onShutdown` hooks,
 * then exits 0; a failure or the hard deadline exits 1. Later signals are logged and ignored
 * so a double Ctrl-C cannot interrupt the drain.
 */
export function installSignalHandlers(service: Destroyable, log: Logger, options: SignalOptions = {}): ShutdownHandle {
  const { deadlineMs = 10_000, proc = process } = options;
  const hooks: Array<() => Promise<void> | void> = [];
  let running: Promise<void> | undefined;

  function shutdown(reason: string, exitCode = 0): Promise<void> {
    if (running) {
      log.warn({ reason }, 'shutdown already in progress');
      return running;
    }
    log.info({ reason }, 'shutting down');
    const deadline = setTimeout(() => {
      log.error({ deadlineMs }, 'shutdown deadline exceeded, exiting');
      proc.exit(1);
    }, deadlineMs);
    deadline.unref();

    running = (async () => {
      let code = exitCode;
      try {
        await service.destroy();
      } catch (err) {
        log.error({ err }, 'service did not stop cleanly');
        code = 1;
      }
      for (const hook of hooks) {
        try {
          await hook();
        } catch (err) {
          log.error({ err }, 'shutdown hook failed');
          code = 1;
        }
      }
      clearTimeout(deadline);
      log.info({ exitCode: code }, 'stopped');
      proc.exit(code);
    })();
    return running;
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const listen = () =>
      proc.once(signal, () => {
        listen(); // keep a listener so a second signal is absorbed instead of killing the process
        void shutdown(signal);
      });
    listen();
  }

  return {
    onShutdown(fn) {
      hooks.push(fn);
    },
    shutdown,
  };
}
