import type { StoredItem } from '../alert/stored-item.js';
import { labelsOf } from './labels.js';
import { isInsideWindow } from './maintenance-window.match.js';
import { matchesAll } from './silence.match.js';
import type { ActiveSilence, ActiveWindow } from './silences.queries.js';

/** What suppressed an item: a silence or a maintenance window / quiet hours. */
export type Suppressor = { silenceId: number } | { windowId: number };

/**
 * Why `item` must not be notified now, or undefined. Critical drifts are never suppressed:
 * silences and windows hold back only what can wait.
 */
export function suppressorOf(
  item: StoredItem,
  environmentId: number,
  rules: { silences: readonly ActiveSilence[]; windows: readonly ActiveWindow[] },
  now: Date,
): Suppressor | undefined {
  if (item.priority === 'critical') return undefined;
  const labels = labelsOf(item, environmentId);
  const silence = rules.silences.find((s) => matchesAll(s.matchers, labels));
  if (silence) return { silenceId: silence.id };
  const window = rules.windows.find(
    (w) => (w.environmentId === null || w.environmentId === environmentId) && isInsideWindow(w, now),
  );
  if (window) return { windowId: window.id };
  return undefined;
}
