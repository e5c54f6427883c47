import type { ContextSignal } from '@driftguard/db';
import { LASTING_KINDS, signalFacts } from './signal-facts.js';

/**
 * The time a drift is correlated over: from the last scan that saw the resource in sync (else
 * the environment's look-back before the observation) up to the scanner's observation.
 * `searchFrom` reaches a look-back further back for signals that last: an incident opened before
 * the in-sync scan and still open when the resource changed explains the change as well.
 */
export interface CorrelationWindow {
  start: Date;
  end: Date;
  searchFrom: Date;
  /** The in-sync scan's time the start came from; null when the look-back set it. */
  inSyncAt: Date | null;
}

export function correlationWindow(observedAt: Date, inSyncAt: Date | null, lookBackMs: number): CorrelationWindow {
  const lookBackStart = new Date(observedAt.getTime() - lookBackMs);
  const fromScan = inSyncAt !== null && inSyncAt < observedAt ? inSyncAt : null;
  const start = fromScan ?? lookBackStart;
  return {
    start,
    end: observedAt,
    searchFrom: new Date(Math.min(start.getTime(), lookBackStart.getTime())),
    inSyncAt: fromScan,
  };
}

/**
 * Whether a signal belongs to the window: it happened inside it, or it started before (since
 * `searchFrom`) and was still open at the window's start. `at` is when the analysis runs.
 */
export function inWindow(signal: ContextSignal, w: CorrelationWindow, at: Date): boolean {
  const t = signal.occurred_at.getTime();
  if (t > w.end.getTime() || t < w.searchFrom.getTime()) return false;
  if (t >= w.start.getTime()) return true;
  if (!LASTING_KINDS.has(signal.context_type)) return false;
  const ended = signalFacts({ signal }, at).endedAt;
  return ended === null || ended >= w.start;
}
