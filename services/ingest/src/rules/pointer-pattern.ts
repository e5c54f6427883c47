/**
 * JSON-pointer patterns (Argo CD style): a pattern matches a pointer when its segments are a
 * prefix of the pointer's segments; `*` matches exactly one segment, `**` any number (≥ 0).
 */
import { parsePointer } from '../model/json-pointer.js';

export type PointerPredicate = (pointer: string) => boolean;

export function compilePointerPattern(pattern: string): string[] {
  return parsePointer(pattern.endsWith('/') && pattern.length > 1 ? pattern.slice(0, -1) : pattern);
}

/** Does `pattern` cover `segments` (prefix semantics)? */
export function coversSegments(pattern: readonly string[], segments: readonly string[], pi = 0, si = 0): boolean {
  for (; pi < pattern.length; pi++, si++) {
    const p = pattern[pi]!;
    if (p === '**') {
      if (pi === pattern.length - 1) return true;
      for (let k = si; k <= segments.length; k++) if (coversSegments(pattern, segments, pi + 1, k)) return true;
      return false;
    }
    if (si >= segments.length) return false;
    if (p !== '*' && p !== segments[si]) return false;
  }
  return true;
}

/** Is `segments` an ancestor of (or equal to) something `pattern` could match? */
export function isAncestorOfPattern(pattern: readonly string[], segments: readonly string[]): boolean {
  for (let i = 0; i < segments.length; i++) {
    const p = pattern[i];
    if (p === undefined) return true; // segments is below the pattern: covered instead
    if (p === '**') return true;
    if (p !== '*' && p !== segments[i]) return false;
  }
  return true;
}

export function compilePointerPatterns(patterns: readonly string[]): PointerPredicate {
  const compiled = patterns.map(compilePointerPattern);
  return (pointer) => {
    const segments = parsePointer(pointer);
    return compiled.some((p) => coversSegments(p, segments));
  };
}
