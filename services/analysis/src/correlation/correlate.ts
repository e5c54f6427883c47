import type { ResourceIdentity } from '@driftguard/contracts';
import type { ContextSignal } from '@driftguard/db';
import { z } from 'zod';
import { correlationScore, matchSignal, type MatchKind } from './signal-match.js';

/** A stored signal tied to a drift, with how and how strongly. */
export interface CorrelatedSignal {
  signal: ContextSignal;
  match: MatchKind;
  score: number;
  /** observedAt minus the signal's time, in milliseconds (positive: the signal came first). */
  offsetMs: number;
  summary?: string;
  link?: string;
}

const Body = z.looseObject({
  summary: z.string().optional(),
  url: z.string().nullable().optional(),
  generatorURL: z.string().nullable().optional(),
});

const descriptions = new WeakMap<ContextSignal, { summary?: string | undefined; link?: string | undefined }>();

/** A signal's summary and link, read once per stored signal (a batch of drifts shares its signals). */
function describedBy(signal: ContextSignal): { summary?: string | undefined; link?: string | undefined } {
  let described = descriptions.get(signal);
  if (!described) {
    const body = Body.safeParse(signal.data);
    described = body.success ? { summary: body.data.summary, link: body.data.url ?? body.data.generatorURL ?? undefined } : {};
    descriptions.set(signal, described);
  }
  return described;
}

/**
 * Signals kept per drift, best first: beyond these (a noisy environment's hundredth alert of the
 * day) nothing changes the cause, and every one kept is a row written.
 */
export const MAX_CORRELATED = 50;

/** Correlates the signals of the window with the drifted resource, best first; unrelated ones are dropped. */
export function correlate(resource: ResourceIdentity, observedAt: Date, signals: readonly ContextSignal[]): CorrelatedSignal[] {
  const out: CorrelatedSignal[] = [];
  for (const signal of signals) {
    const match = matchSignal(signal, resource);
    if (!match) continue;
    const offsetMs = observedAt.getTime() - signal.occurred_at.getTime();
    const { summary, link } = describedBy(signal);
    out.push({
      signal,
      match,
      score: correlationScore(match, offsetMs),
      offsetMs,
      ...(summary !== undefined ? { summary } : {}),
      ...(link ? { link } : {}),
    });
  }
  return out.sort((a, b) => b.score - a.score || Math.abs(a.offsetMs) - Math.abs(b.offsetMs)).slice(0, MAX_CORRELATED);
}
