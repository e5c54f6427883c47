/**
 * A per-(profile, resource type) compilation of diff.tables.ts, cached, so the engine's hot path
 * does one Map lookup where a regex or a table scan would otherwise run per key.
 */
import {
  CLOUDFORMATION_ARRAYS,
  COMPUTED_IF_UNSET_KEYS,
  JSON_DOCUMENT_KEY,
  KUBERNETES_ARRAYS,
  KUBERNETES_CONTAINER_PORTS,
  KUBERNETES_SERVICE_PORTS,
  ORDERED,
  SET,
  SET_KEY_SUFFIXES,
  TERRAFORM_COMPUTED_KEYS,
  TERRAFORM_COMPUTED_SUFFIXES,
  TERRAFORM_PROVIDER_COMPUTED_KEYS,
  TERRAFORM_SET_KEYS,
  TERRAFORM_TYPE_ARRAYS,
  type ArrayRule,
  type DiffProfile,
} from './diff.tables.js';

/** 0: compared; 1: always ignored (computed/volatile); 2: ignored when the declared side is unset. */
export type TopKeyRule = 0 | 1 | 2;

export interface DiffPlan {
  readonly profile: DiffProfile;
  readonly resourceType: string;
  topKeyRule(key: string): TopKeyRule;
  isJsonKey(key: string): boolean;
  arrayRule(key: string | undefined, sample: readonly unknown[]): ArrayRule;
}

const inferred = new Map<string, DiffProfile>();

export function inferProfile(resourceType: string): DiffProfile {
  let p = inferred.get(resourceType);
  if (p === undefined) {
    p = inferUncached(resourceType);
    if (inferred.size < 5_000) inferred.set(resourceType, p);
  }
  return p;
}

function inferUncached(resourceType: string): DiffProfile {
  if (resourceType.includes('::')) return 'cloudformation';
  if (/^[a-z][a-z0-9]*_[a-z0-9_]+$/.test(resourceType)) return 'terraform';
  // `<apiVersion>/<Kind>`: `v1/Secret`, `apps/v1/Deployment`, `rbac.authorization.k8s.io/v1/Role`.
  if (/^(?:[a-z0-9.-]+\/)?v[0-9][a-z0-9]*\/[A-Z][A-Za-z0-9]*$/.test(resourceType)) return 'kubernetes';
  return 'generic';
}

const plans: Record<DiffProfile, Map<string, DiffPlan>> = {
  terraform: new Map(),
  cloudformation: new Map(),
  kubernetes: new Map(),
  generic: new Map(),
};
const jsonKeyCache = new Map<string, boolean>();

function isJsonKey(key: string): boolean {
  let r = jsonKeyCache.get(key);
  if (r === undefined) {
    r = JSON_DOCUMENT_KEY.test(key);
    if (jsonKeyCache.size < 10_000) jsonKeyCache.set(key, r);
  }
  return r;
}

export function planFor(profile: DiffProfile, resourceType: string): DiffPlan {
  const byType = plans[profile];
  let plan = byType.get(resourceType);
  if (!plan) {
    plan = compile(profile, resourceType);
    if (byType.size < 5_000) byType.set(resourceType, plan);
  }
  return plan;
}

function compile(profile: DiffProfile, resourceType: string): DiffPlan {
  const arrays = new Map<string, ArrayRule>();
  const always = new Set<string>();
  const ifUnset = new Set<string>();
  let suffixes: string[] = [];
  if (profile === 'terraform' || profile === 'generic') {
    for (const k of TERRAFORM_SET_KEYS) arrays.set(k, SET);
    for (const [k, rule] of Object.entries(TERRAFORM_TYPE_ARRAYS[resourceType] ?? {})) arrays.set(k, rule);
  }
  if (profile === 'terraform') {
    const provider = resourceType.slice(0, resourceType.indexOf('_'));
    for (const k of TERRAFORM_COMPUTED_KEYS) always.add(k);
    for (const k of TERRAFORM_PROVIDER_COMPUTED_KEYS[provider] ?? []) always.add(k);
    for (const k of COMPUTED_IF_UNSET_KEYS) if (!always.has(k)) ifUnset.add(k);
    suffixes = TERRAFORM_COMPUTED_SUFFIXES;
  }
  if (profile === 'cloudformation') for (const [k, rule] of Object.entries(CLOUDFORMATION_ARRAYS)) arrays.set(k, rule);
  if (profile === 'kubernetes') for (const [k, rule] of Object.entries(KUBERNETES_ARRAYS)) arrays.set(k, rule);
  const setSuffixes = profile === 'terraform' || profile === 'generic' ? SET_KEY_SUFFIXES : [];

  const topCache = new Map<string, TopKeyRule>();
  const arrayCache = new Map<string, ArrayRule>();
  return {
    profile,
    resourceType,
    topKeyRule(key) {
      let r = topCache.get(key);
      if (r === undefined) {
        r = always.has(key) || suffixes.some((s) => key.endsWith(s)) ? 1 : ifUnset.has(key) ? 2 : 0;
        if (topCache.size < 2_000) topCache.set(key, r);
      }
      return r;
    },
    isJsonKey,
    arrayRule(key, sample) {
      if (key === undefined) return ORDERED;
      if (profile === 'kubernetes' && key === 'ports') return kubernetesPortsRule(sample);
      let r = arrayCache.get(key);
      if (r === undefined) {
        r = arrays.get(key) ?? (setSuffixes.some((s) => key.endsWith(s)) ? SET : ORDERED);
        if (arrayCache.size < 2_000) arrayCache.set(key, r);
      }
      return r;
    },
  };
}

/** Container ports merge on containerPort+protocol; Service/EndpointSlice ports on port+protocol. */
function kubernetesPortsRule(sample: readonly unknown[]): ArrayRule {
  const first = sample.find((x) => x !== null && typeof x === 'object');
  if (first && 'containerPort' in first) return KUBERNETES_CONTAINER_PORTS;
  if (first && 'port' in first) return KUBERNETES_SERVICE_PORTS;
  return ORDERED;
}
