import type { Logger } from '../logging/logger.js';

/** A dependency probe: resolves when the dependency answers, rejects otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

export type CheckStatus = 'ok' | 'failed' | 'timeout';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckStatus>;
}

/**
 * Runs every check in parallel, each bounded by `timeoutMs`. The report names each check's
 * status only; failure details go to the log, where secrets are scrubbed, never to the caller.
 */
export async function runReadinessChecks(
  checks: Record<string, ReadinessCheck>,
  timeoutMs: number,
  log: Logger,
): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, CheckStatus]> => {
      const status = await probe(check, timeoutMs).catch((err: unknown) => {
        log.warn({ err, check: name }, 'readiness check failed');
        return 'failed' as const;
      });
      if (status === 'timeout') log.warn({ check: name, timeoutMs }, 'readiness check timed out');
      return [name, status];
    }),
  );
  const report = Object.fromEntries(entries);
  return { ready: entries.every(([, status]) => status === 'ok'), checks: report };
}

async function probe(check: ReadinessCheck, timeoutMs: number): Promise<CheckStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    return await Promise.race([check().then(() => 'ok' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
