import type { StepPatch } from '@driftguard/contracts';
import { applyPatch, createTwoFilesPatch, FILE_HEADERS_ONLY, structuredPatch } from 'diff';
import { SENSITIVE_MASK } from './secrets.js';

/**
 * A unified diff of a repository file (paths `a/<file>` and `b/<file>`, three lines of context),
 * as `git apply` and `patch -p1` take it; null when nothing changes.
 */
export function unifiedDiff(file: string, before: string, after: string): StepPatch | null {
  if (before === after) return null;
  const content = createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, undefined, undefined, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
  });
  return { format: 'unified_diff', file, content };
}

/**
 * Whether a diff would write the mask into the file: a line it adds holds `(sensitive)` (a line
 * that had to be rewritten around a masked secret). Such a diff is not offered.
 */
export function addsMask(patch: StepPatch): boolean {
  return patch.content.split('\n').some((l) => l.startsWith('+') && !l.startsWith('+++') && l.includes(SENSITIVE_MASK));
}

/**
 * Carries an edit made on a re-rendered copy of a file back to the file as written. Parsers that
 * edit structurally (yaml's Document, JSON) print the whole file again in their own style; the
 * lines the edit changed are taken from that print and applied to the original text, so the rest
 * keeps its layout. `check` says whether a candidate text holds what the edit intended; when the
 * lines cannot be carried over, the re-rendered print itself is the result (a noisier but exact
 * diff). `renderedBefore` is the print of the unedited file, `renderedAfter` of the edited one.
 */
export function carryOver(
  original: string,
  renderedBefore: string,
  renderedAfter: string,
  check: (text: string) => boolean,
): string {
  if (renderedBefore === original) return renderedAfter;
  const lines = structuredPatch('a', 'b', renderedBefore, renderedAfter, undefined, undefined, { context: 0 });
  const carried = applyPatch(original, lines);
  if (carried !== false && check(carried)) return carried;
  return renderedAfter;
}

/**
 * A note for a diff whose context or removed lines show a masked secret: the repository's file
 * has the real value on those lines, so the hunk does not apply as it is.
 */
export function maskedContext(patch: StepPatch): string {
  const lines = patch.content
    .split('\n')
    .filter((l) => (l.startsWith(' ') || (l.startsWith('-') && !l.startsWith('---'))) && l.includes(SENSITIVE_MASK));
  if (lines.length === 0) return '';
  return ` ${lines.length} line(s) of the diff show a secret as ${SENSITIVE_MASK}, where the file has the real value: apply with \`patch -p1 --fuzz=3\` or make those hunks by hand.`;
}
