import type { SilenceMatcher } from '@driftguard/contracts';
import type { DriftLabels } from './labels.js';

/**
 * Alertmanager's matcher semantics: a missing label equals the empty string; regular expressions
 * are anchored; `isEqual: false` negates. A silence matches when every matcher does.
 */
export function matchesAll(matchers: readonly SilenceMatcher[], labels: DriftLabels): boolean {
  return matchers.every((m) => {
    const value = labels[m.name] ?? '';
    let hit: boolean;
    if (m.isRegex) {
      try {
        hit = new RegExp(`^(?:${m.value})$`).test(value);
      } catch {
        hit = false;
      }
    } else hit = value === m.value;
    return m.isEqual ? hit : !hit;
  });
}
