export { compileIgnoreRules, type IgnoreRuleInput } from './ignore.rules.js';
export type { IgnoreMatcher } from './ignore-matcher.js';
export { compileDriftignore, parseDriftignore } from './driftignore.js';
export { evaluateSecurity } from './security.evaluate.js';
export { SECURITY_RULES, type SecurityRule } from './security.rules.js';
export type { SecurityRuleContext, SecurityPredicate } from './security.predicates.js';
export { compilePointerPatterns } from './pointer-pattern.js';
