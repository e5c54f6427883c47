import type { Json, PropertyChange, ResourceRef } from '../model/observation.js';
import { parsePointer } from '../model/json-pointer.js';
import { compilePointerPattern, coversSegments, isAncestorOfPattern } from './pointer-pattern.js';
import { SECURITY_RULES, type SecurityRule } from './security.rules.js';
import { globMatcher } from './ignore.rules.js';

interface CompiledRule {
  rule: SecurityRule;
  types: ((type: string) => boolean)[];
  patterns: string[][];
}

const compiled: CompiledRule[] = SECURITY_RULES.map((rule) => ({
  rule,
  types: rule.match.resourceTypes.map(globMatcher),
  patterns: (Array.isArray(rule.match.pathPattern) ? rule.match.pathPattern : [rule.match.pathPattern]).map(
    compilePointerPattern,
  ),
}));
const byType = new Map<string, CompiledRule[]>();

function rulesFor(type: string): CompiledRule[] {
  let list = byType.get(type);
  if (!list) {
    list = compiled.filter(({ types }) => types.some((matches) => matches(type)));
    if (byType.size < 5_000) byType.set(type, list);
  }
  return list;
}

/** Whether any rule can match this resource type (lets callers skip per-change evaluation). */
export function hasSecurityRules(type: string): boolean {
  return rulesFor(type).length > 0;
}

/**
 * Ids of the security rules a change matches (deduplicated, in table order). `resource` gives the
 * whole declared/actual bodies when the caller has them; predicates fall back to the change alone.
 */
export function evaluateSecurity(
  ref: ResourceRef,
  change: PropertyChange,
  resource: { declared?: Json | undefined; actual?: Json | undefined } = {},
): string[] {
  const rules = rulesFor(ref.type);
  if (rules.length === 0) return [];
  const segments = parsePointer(change.path);
  const ids: string[] = [];
  for (const { rule, patterns } of rules) {
    if (ids.includes(rule.id)) continue;
    if (!patterns.some((p) => coversSegments(p, segments) || isAncestorOfPattern(p, segments))) continue;
    const predicate = rule.match.predicate;
    if (predicate && !predicate({ ref, change, declared: resource.declared, actual: resource.actual })) continue;
    ids.push(rule.id);
  }
  return ids;
}
