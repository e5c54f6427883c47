import type { JsonValue } from '@driftguard/contracts';
import { parsePointer } from '../model/json-pointer.js';
import { SENSITIVE_MARKER as SENSITIVE_MASK } from '../sensitivity/index.js';

/**
 * Returns a copy of `value` in which the value at each pointer is replaced by the mask. A pointer
 * into an object or array masks the whole subtree; a pointer that names nothing, or a null value,
 * changes nothing (a missing or null secret reveals nothing), except a non-numeric step into a
 * list: Terraform addresses set elements by value, so the whole list is masked. Only the spine along each pointer
 * is copied, so untouched branches are shared with the input.
 */
export function maskPaths(value: JsonValue, pointers: readonly string[]): JsonValue {
  let out = value;
  for (const pointer of pointers) out = maskOne(out, parsePointer(pointer), 0);
  return out;
}

function maskOne(node: JsonValue, segments: readonly string[], depth: number): JsonValue {
  if (node === null) return node;
  if (depth === segments.length) return SENSITIVE_MASK;
  const segment = segments[depth]!;
  if (Array.isArray(node)) {
    // A set element is addressed by its value, not a position: the whole set is masked.
    if (!/^(0|[1-9]\d*)$/.test(segment)) return SENSITIVE_MASK;
    const index = Number(segment);
    if (index >= node.length) return node;
    const copy = node.slice();
    copy[index] = maskOne(node[index]!, segments, depth + 1);
    return copy;
  }
  if (typeof node === 'object') {
    if (!Object.prototype.hasOwnProperty.call(node, segment)) return node;
    const copy: { [key: string]: JsonValue } = { ...node };
    Object.defineProperty(copy, segment, {
      value: maskOne(node[segment]!, segments, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
    return copy;
  }
  return node;
}
