import type { JsonValue } from '@driftguard/contracts';
import jsonPatch, { type Operation } from 'fast-json-patch';
import { parsePointer } from './json-pointer.js';
import type { ResolvedChange } from './plan-input.js';

/** The index of a change's last segment when it addresses an array element, else null. */
function arrayIndex(path: string): number | null {
  const last = parsePointer(path).at(-1);
  return last !== undefined && /^(0|[1-9][0-9]*)$/.test(last) ? Number(last) : null;
}

/**
 * The operations turning the declared document into the live one, in an order that keeps array
 * indices valid: removals from the highest index down, then additions from the lowest up, then
 * replacements (the diff reports removed elements at their declared index and added ones at
 * their live index).
 */
export function changeOperations(changes: readonly ResolvedChange[]): Operation[] {
  const usable = changes.filter((c) => !c.unresolved?.includes('actual'));
  const removed = usable
    .filter((c) => c.changeType === 'removed')
    .sort((a, b) => (arrayIndex(b.path) ?? 0) - (arrayIndex(a.path) ?? 0) || b.path.localeCompare(a.path));
  const added = usable
    .filter((c) => c.changeType === 'added')
    .sort((a, b) => (arrayIndex(a.path) ?? 0) - (arrayIndex(b.path) ?? 0) || a.path.localeCompare(b.path));
  const modified = usable.filter((c) => c.changeType === 'modified');
  return [
    ...removed.map((c): Operation => ({ op: 'remove', path: c.path })),
    ...added.map((c): Operation => ({ op: 'add', path: c.path, value: c.actual ?? null })),
    ...modified.map((c): Operation => ({ op: 'replace', path: c.path, value: c.actual ?? null })),
  ];
}

/**
 * The live document: the declared one with the drift's changes applied. A change that does not
 * fit the declared document (it changed since) is skipped and its path returned.
 */
export function liveOf(declared: JsonValue, changes: readonly ResolvedChange[]): { live: JsonValue; skipped: string[] } {
  let doc: JsonValue = structuredClone(declared);
  const skipped: string[] = [];
  for (const op of changeOperations(changes)) {
    try {
      const effective: Operation = op.op === 'replace' && !valueExists(doc, op.path) ? { ...op, op: 'add' } : op;
      doc = jsonPatch.applyOperation(doc, effective, true, true, false).newDocument;
    } catch {
      skipped.push(op.path);
    }
  }
  return { live: doc, skipped };
}

function valueExists(doc: JsonValue, path: string): boolean {
  try {
    const found: unknown = jsonPatch.getValueByPointer(doc, path);
    return found !== undefined;
  } catch {
    return false;
  }
}
