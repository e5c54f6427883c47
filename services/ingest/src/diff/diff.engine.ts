/**
 * diffResource: leaf-level property changes between a declared and an actual resource body,
 * after normalization (see diff.tables.ts for the data; README-style notes below).
 *
 * - Pointers are RFC 6901. Set-like arrays are compared without order: an element missing from
 *   actual is `removed` at its index in declared, an element only in actual is `added` at its
 *   index in actual (so each pointer resolves in the document where the element lives).
 * - Keyed lists (Kubernetes merge keys, CloudFormation Tags) match elements by key; changes inside
 *   a matched element use the declared index.
 * - null ≡ absent ≡ "" ≡ [] ≡ {} (providers report unset optional values any of these ways).
 * - An object or list present on one side only is reported leaf by leaf / element by element.
 * - Scalars are compared by meaning across types ("80" == 80, "true" == true).
 * - JSON documents (policies) are compared semantically and reported whole at their path.
 * - Sensitive values are masked and hashed.
 */
import type { Json, PropertyChange, ResourceRef } from '../model/observation.js';
import { evaluateSecurity, hasSecurityRules } from '../rules/security.evaluate.js';
import { compilePointerPatterns } from '../rules/pointer-pattern.js';
import { inferProfile, planFor } from './diff.plan.js';
import type { DiffProfile } from './diff.tables.js';
import { DiffWalker, type RawChange } from './diff.walker.js';
import { containsSensitiveKey, isSensitivePath, maskChange, underSensitivePath } from './sensitive.mask.js';

export interface DiffContext {
  resourceType: string;
  /** Pointers of sensitive values (a pointer covers everything below it). */
  sensitivePaths?: readonly string[];
  /** Pointer patterns (prefix match; `*` matches one segment) whose changes are dropped. */
  ignorePaths?: readonly string[];
  /** Only fields the declared side sets count (Kubernetes 2-way semantics). */
  onlyDeclared?: boolean;
  /** Only top-level attributes present on both sides count (an inventory that omits an attribute is silent on it). */
  onlyShared?: boolean;
  /** Comparison profile; inferred from resourceType when absent. */
  profile?: DiffProfile;
  /** The resource, for security rules; defaults to { type: resourceType }. */
  resource?: ResourceRef;
}

export function diffResource(declared: Json, actual: Json, ctx: DiffContext): PropertyChange[] {
  const raw = rawDiff(declared, actual, ctx);
  if (raw.length === 0) return [];
  const ignore = ctx.ignorePaths && ctx.ignorePaths.length > 0 ? compilePointerPatterns(ctx.ignorePaths) : undefined;
  const ref = ctx.resource ?? { type: ctx.resourceType };
  const out: PropertyChange[] = [];
  const bodies = { declared, actual };
  const securityApplies = hasSecurityRules(ref.type);
  for (const c of raw) {
    if (ignore?.(c.path)) continue;
    const sensitive =
      c.secretName ||
      underSensitivePath(c.path, ctx.sensitivePaths) ||
      (typeof c.declared === 'object' && containsSensitiveKey(c.declared)) ||
      (typeof c.actual === 'object' && containsSensitiveKey(c.actual));
    const change: PropertyChange = {
      path: c.path,
      declared: c.declared,
      actual: c.actual,
      changeType: c.changeType,
      sensitive: false,
      securityRuleIds: [],
    };
    if (securityApplies) change.securityRuleIds = evaluateSecurity(ref, change, bodies);
    out.push(sensitive ? maskChange(change) : change);
  }
  return out;
}

/** True when the two bodies have no change under the context's normalization. */
export function equivalent(declared: Json, actual: Json, ctx: DiffContext): boolean {
  return rawDiff(declared, actual, ctx).length === 0;
}

function rawDiff(declared: Json, actual: Json, ctx: DiffContext): RawChange[] {
  const plan = planFor(ctx.profile ?? inferProfile(ctx.resourceType), ctx.resourceType);
  return new DiffWalker(plan, ctx.onlyDeclared === true, ctx.onlyShared === true).run(declared, actual);
}

/** Masks sensitive values and attaches security rule ids; shared with adapters that bring their own changes. */
export function finalizeChange(
  ref: ResourceRef,
  c: Pick<PropertyChange, 'path' | 'declared' | 'actual' | 'changeType'> & { sensitive?: boolean },
  sensitivePaths: readonly string[] | undefined,
  resource: { declared?: Json | undefined; actual?: Json | undefined },
): PropertyChange {
  const change: PropertyChange = {
    path: c.path,
    declared: c.declared,
    actual: c.actual,
    changeType: c.changeType,
    sensitive: false,
    securityRuleIds: [],
  };
  change.securityRuleIds = evaluateSecurity(ref, change, resource);
  const sensitive =
    c.sensitive === true ||
    isSensitivePath(c.path, sensitivePaths) ||
    containsSensitiveKey(c.declared) ||
    containsSensitiveKey(c.actual);
  return sensitive ? maskChange(change) : change;
}
