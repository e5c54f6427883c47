/**
 * Compiles stored ignore rules and an optional .driftignore text into one IgnoreMatcher.
 *
 * - syntax `driftignore`: the rule is a driftignore line built from its columns:
 *   `<resourceType>.<addressPattern>[.<propertyPath as dotted segments>]` (addressPattern alone
 *   when it already starts with the type, `*` for a missing part).
 * - syntax `json_pointer` (Argo CD style): resourceType and addressPattern are globs (`*` any run
 *   of characters, `?` one; addressPattern is tried on the address, the physical id and the name), propertyPath a JSON
 *   pointer pattern (prefix match, `*` one segment). No propertyPath ⇒ the whole resource.
 * Resources are named `<type>.<physicalId>` for driftignore, as driftctl does (address when no id).
 */
import type { ResourceRef } from '../model/observation.js';
import { parsePointer } from '../model/json-pointer.js';
import { compileDriftignore, parseDriftignore, type DriftignorePattern } from './driftignore.js';
import type { IgnoreMatcher } from './ignore-matcher.js';
import { compilePointerPattern, coversSegments } from './pointer-pattern.js';

export interface IgnoreRuleInput {
  id: number | string;
  resourceType?: string | null;
  addressPattern?: string | null;
  propertyPath?: string | null;
  syntax: 'driftignore' | 'json_pointer';
}

interface PointerRule {
  id: number | string;
  type: ((t: string) => boolean) | undefined;
  address: ((a: string) => boolean) | undefined;
  path: string[] | undefined;
}

export function compileIgnoreRules(rules: readonly IgnoreRuleInput[], driftignoreText?: string): IgnoreMatcher {
  const driftPatterns: DriftignorePattern[] = [];
  const pointerRules: PointerRule[] = [];
  for (const r of rules) {
    if (r.syntax === 'driftignore') driftPatterns.push({ pattern: driftignoreLine(r), ruleId: r.id });
    else pointerRules.push(compilePointerRule(r));
  }
  if (driftignoreText) driftPatterns.push(...parseDriftignore(driftignoreText));
  const drift = compileDriftignore(driftPatterns);
  const counts = new Map<string | number, number>();
  const count = (id: string | number): true => {
    counts.set(id, (counts.get(id) ?? 0) + 1);
    return true;
  };

  return {
    ignoresResource(ref) {
      const id = driftId(ref);
      const hit = drift?.matchResource(ref.type, id);
      if (hit !== undefined) return count(hit);
      for (const r of pointerRules) if (r.path === undefined && resourceMatches(r, ref)) return count(r.id);
      return false;
    },
    ignoresPath(ref, pointer) {
      const segments = parsePointer(pointer);
      const hit = drift?.matchField(ref.type, driftId(ref), segments);
      if (hit !== undefined) return count(hit);
      for (const r of pointerRules) {
        if (r.path !== undefined && resourceMatches(r, ref) && coversSegments(r.path, segments)) return count(r.id);
      }
      return false;
    },
    suppressedCounts: () => new Map(counts),
  };
}

function driftId(ref: ResourceRef): string {
  return ref.physicalId ?? ref.name ?? ref.address ?? '';
}

function driftignoreLine(r: IgnoreRuleInput): string {
  const type = r.resourceType?.trim() || undefined;
  const addr = r.addressPattern?.trim() || undefined;
  let line = type ? (addr?.startsWith(`${type}.`) ? addr : `${type}.${addr ?? '*'}`) : (addr ?? '*');
  const path = r.propertyPath?.trim();
  if (path) line += '.' + (path.startsWith('/') ? parsePointer(path).join('.') : path);
  return line;
}

function compilePointerRule(r: IgnoreRuleInput): PointerRule {
  const type = r.resourceType?.trim() ? globMatcher(r.resourceType.trim()) : undefined;
  const address = r.addressPattern?.trim() ? globMatcher(r.addressPattern.trim()) : undefined;
  const path = r.propertyPath?.trim() ? compilePointerPattern(r.propertyPath.trim()) : undefined;
  return { id: r.id, type, address, path };
}

function resourceMatches(r: PointerRule, ref: ResourceRef): boolean {
  if (r.type && !r.type(ref.type)) return false;
  if (!r.address) return true;
  return [ref.address, ref.physicalId, ref.name].some((v) => v !== undefined && r.address!(v));
}

/** Whole-string glob: `*` any run of characters (including `.` and `/`), `?` one character. */
export function globMatcher(glob: string): (value: string) => boolean {
  if (!/[*?]/.test(glob)) return (v) => v === glob;
  const source = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const re = new RegExp(`^${source}$`, 's');
  return (v) => re.test(v);
}
