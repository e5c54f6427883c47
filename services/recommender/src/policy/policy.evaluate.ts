import type { PolicyMatch, PolicyOutcome, PolicyRule, PolicySource, RecommendationPolicyDocument } from '@driftguard/contracts';
import type { PolicyFacts } from './policy-facts.js';

/** One level of policy: an environment's or organization's override, or the defaults (version 0). */
export interface PolicyLayer {
  source: PolicySource;
  version: number;
  document: RecommendationPolicyDocument;
}

export interface PolicyDecision {
  source: PolicySource;
  version: number;
  rule: PolicyRule;
  outcome: PolicyOutcome;
}

const globCache = new Map<string, RegExp>();

/** `*` within one segment (`/` for pointers), `**` across segments; everything else literal. */
function glob(pattern: string, separator: '/' | null): RegExp {
  const key = `${separator ?? ''}${pattern}`;
  const cached = globCache.get(key);
  if (cached) return cached;
  const one = separator ? '[^/]*' : '.*';
  const source = pattern
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join(one),
    )
    .join('.*');
  const re = new RegExp(`^${source}$`);
  globCache.set(key, re);
  return re;
}

const anyOf = <T>(list: readonly T[] | undefined, value: T | null): boolean =>
  list === undefined || (value !== null && list.includes(value));

/** Whether every condition of `when` holds for the facts. */
export function matches(when: PolicyMatch, f: PolicyFacts): boolean {
  if (!anyOf(when.causes, f.cause)) return false;
  if (when.minCauseConfidence !== undefined && f.causeConfidence < when.minCauseConfidence) return false;
  if (when.maxCauseConfidence !== undefined && f.causeConfidence >= when.maxCauseConfidence) return false;
  if (when.minSeverity !== undefined && f.severity < when.minSeverity) return false;
  if (when.securityCritical !== undefined && f.securityCritical !== when.securityCritical) return false;
  if (when.securityRuleIds && !f.securityRuleIds.some((id) => when.securityRuleIds?.includes(id))) return false;
  if (when.production !== undefined && f.production !== when.production) return false;
  if (when.tiers && (f.tier === null || !when.tiers.some((t) => t.toLowerCase() === f.tier?.toLowerCase()))) return false;
  if (when.resourceTypes && !when.resourceTypes.some((p) => glob(p, null).test(f.resourceType))) return false;
  if (!anyOf(when.driftTypes, f.driftType)) return false;
  if (!anyOf(when.iacTools, f.iacTool)) return false;
  if (when.changedPaths) {
    const patterns = when.changedPaths.map((p) => glob(p, '/'));
    if (f.changedPaths.length === 0 || !f.changedPaths.every((path) => patterns.some((re) => re.test(path)))) return false;
  }
  if (!anyOf(when.incident, f.incident)) return false;
  if (when.changeWindow !== undefined && f.changeWindow !== when.changeWindow) return false;
  if (!anyOf(when.principalKinds, f.principalKind)) return false;
  if (!anyOf(when.channels, f.channel)) return false;
  return true;
}

/**
 * The first matching rule, trying the layers in the order given (environment, organization,
 * defaults). The defaults end with a rule matching everything, so there is always a decision.
 */
export function decide(layers: readonly PolicyLayer[], facts: PolicyFacts): PolicyDecision {
  for (const layer of layers) {
    for (const rule of layer.document.rules) {
      if (matches(rule.when, facts)) return { source: layer.source, version: layer.version, rule, outcome: rule.then };
    }
  }
  throw new Error('no policy rule matched; the default policy must end with a rule that matches everything');
}
