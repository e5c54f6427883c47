import type { ContextKind, ResourceIdentity } from '@driftguard/contracts';
import type { ContextSignal } from '@driftguard/db';
import { z } from 'zod';

/** How a signal was tied to a drift, strongest first. */
export type MatchKind = 'resource' | 'declaring_file' | 'environment';

/** Signals that concern the whole environment even when they name no resource. */
export const ENVIRONMENT_WIDE: readonly ContextKind[] = ['incident', 'alert', 'deployment', 'maintenance', 'security_event'];

const Refs = z.array(z.string());

/** The names a scanner gave the drifted resource that a signal may quote. */
function resourceNames(resource: ResourceIdentity): { inRefs: string[]; inBody: string[] } {
  // Short names ("web", "db") appear in unrelated text: only distinctive ones are searched for.
  const distinctive = (names: (string | undefined)[]) => names.filter((n): n is string => n !== undefined && n.length >= 6);
  const qualified = resource.namespace && resource.name ? `${resource.namespace}/${resource.name}` : undefined;
  const inBody = distinctive([resource.physicalId, resource.address, qualified]);
  // A bare name counts only where the signal lists it as a resource it concerns.
  return { inRefs: [...inBody, ...distinctive([resource.name])], inBody };
}

/** A reference names the resource when it is the name, or an ARN / object path ending in it. */
function refNames(ref: string, name: string): boolean {
  if (ref === name) return true;
  return ref.endsWith(`/${name}`) || ref.endsWith(`:${name}`);
}

const ObjectRef = z.looseObject({
  resource: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  apiGroup: z.string().optional(),
});
const KubernetesAudit = z.looseObject({ objectRef: ObjectRef.nullable().optional() });

/** `apps/v1/Deployment` → group `apps`, kind `Deployment`; `v1/ConfigMap` → the core group. */
function kubernetesKind(type: string): { group: string; kind: string } | null {
  const m = /^(?:([a-z0-9.-]+)\/)?(v\d+[a-z0-9]*)\/([A-Z][A-Za-z0-9]*)$/.exec(type);
  return m ? { group: m[1] ?? '', kind: m[3]! } : null;
}

/** The plural resource name the API server uses for a kind (`Deployment` → `deployments`, `Ingress` → `ingresses`, `NetworkPolicy` → `networkpolicies`). */
function pluralOf(kind: string): string {
  const k = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

/**
 * A Kubernetes audit event's object reference against a drifted Kubernetes object: same API
 * group, resource (the kind's plural), namespace and name. Null when either side is no
 * Kubernetes object, so other rules decide.
 */
function kubernetesMatch(signal: ContextSignal, resource: ResourceIdentity): boolean | null {
  if (signal.external_system !== 'kubernetes' || !resource.name) return null;
  const kind = kubernetesKind(resource.type);
  const ref = viewOf(signal).objectRef();
  if (!kind || !ref?.name) return null;
  return (
    ref.name === resource.name &&
    (ref.namespace ?? '') === (resource.namespace ?? '') &&
    (ref.apiGroup ?? '') === kind.group &&
    ref.resource === pluralOf(kind.kind)
  );
}

/** Request and response fields by which CloudTrail names the resource an API call acted on. */
const ID_KEY = /(Id|Ids|Name|Arn|ARN|Identifier|Url)$/;

const CloudTrailCall = z.looseObject({ requestParameters: z.unknown(), responseElements: z.unknown() });

/** The identifier values of a CloudTrail record's requestParameters and responseElements (nested sets included). */
function cloudTrailIds(data: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key: string, depth: number) => {
    if (depth > 6 || out.length > 200) return;
    if (typeof v === 'string') {
      if (ID_KEY.test(key)) out.push(v);
    } else if (Array.isArray(v)) {
      for (const item of v) walk(item, key, depth + 1);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) walk(child, k, depth + 1);
    }
  };
  const record = CloudTrailCall.safeParse(data);
  if (record.success) {
    walk(record.data.requestParameters, '', 0);
    walk(record.data.responseElements, '', 0);
  }
  return out;
}

/**
 * A repository path from a declaration source: `git::https://github.com/acme/infra.git//modules/web/main.tf`,
 * `file://infra/web.tf` and `./infra/web.tf` all give `…/infra/web.tf`-like paths; state URLs
 * (`tfstate://…`, `s3://…`) and stack ids name no file.
 */
function declaringPath(source: string): string | null {
  if (/^(tfstate|s3|gs|azurerm|http|https|arn):/i.test(source) && !source.includes('//', source.indexOf('://') + 3)) return null;
  const sub = source.split('//').pop() ?? source;
  const path = sub
    .replace(/^[a-z0-9+]+::/i, '')
    .replace(/^file:/i, '')
    .replace(/^\.?\//, '')
    .replace(/\?.*$/, '');
  return path === '' ? null : path;
}

/** Whether a file a commit changed is the declaring file (or lies in the declaring directory). */
function declares(source: string, file: string): boolean {
  const path = declaringPath(source);
  if (!path) return false;
  if (path.endsWith('/')) return file.startsWith(path) || file.includes(`/${path}`);
  return file === path || path.endsWith(`/${file}`) || file.endsWith(`/${path}`) || file.startsWith(`${path}/`);
}

/**
 * How `signal` relates to the drifted resource, or null when it does not: it names the resource
 * (physical id, ARN, address, Kubernetes object reference, a CloudTrail request or response
 * identifier) in its references or its body; a commit changed the file declaring it; or it
 * concerns the whole environment.
 */
export function matchSignal(signal: ContextSignal, resource: ResourceIdentity): MatchKind | null {
  const kind = signal.context_type;
  const k8s = kubernetesMatch(signal, resource);
  if (k8s === true) return 'resource';
  if (k8s === null) {
    const view = viewOf(signal);
    const list = view.refs();
    const names = resourceNames(resource);
    if (names.inRefs.some((n) => list.some((r) => refNames(r, n)))) return 'resource';
    if (signal.external_system === 'cloudtrail') {
      // CloudTrail names an instance, group, bucket or function in its parameters more often than in `resources`.
      const ids = view.cloudTrailIds();
      const exact = [resource.physicalId, resource.name].filter((n): n is string => n !== undefined && n !== '');
      if (ids.some((id) => exact.some((n) => id === n || refNames(id, n)))) return 'resource';
    }
    const body = view.body();
    if (names.inBody.some((n) => body.includes(JSON.stringify(n)))) return 'resource';
    if (kind === 'git_commit' && resource.source) {
      const source = resource.source;
      if (list.some((f) => declares(source, f))) return 'declaring_file';
    }
  }
  if ((ENVIRONMENT_WIDE as readonly string[]).includes(kind)) return 'environment';
  return null;
}

/** What matching reads of a stored signal, each part worked out once however many drifts it is matched against. */
interface SignalView {
  refs(): string[];
  body(): string;
  cloudTrailIds(): string[];
  objectRef(): z.infer<typeof ObjectRef> | null | undefined;
}

const views = new WeakMap<ContextSignal, SignalView>();

function once<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}

function viewOf(signal: ContextSignal): SignalView {
  let view = views.get(signal);
  if (!view) {
    view = {
      refs: once(() => {
        const refs = Refs.safeParse(signal.resource_refs);
        return refs.success ? refs.data : [];
      }),
      body: once(() => JSON.stringify(signal.data)),
      cloudTrailIds: once(() => cloudTrailIds(signal.data)),
      objectRef: once(() => {
        const body = KubernetesAudit.safeParse(signal.data);
        return body.success ? body.data.objectRef : null;
      }),
    };
    views.set(signal, view);
  }
  return view;
}

/** A signal whose body holds more names than this is a candidate for every resource (`*`). */
const MAX_KEYS = 256;
/** Strings longer than this name no resource (commit messages, policies). */
const MAX_KEY_LENGTH = 512;
/** The key every resource asks for: signals with too many names to index carry it. */
export const ANY_KEY = '*';

/** A name and everything after each `/` and `:` in it (`arn:…:db:orders-db` → `orders-db`, `a/b/c` → `b/c`, `c`), and its directories. */
function withParts(name: string, out: Set<string>): void {
  out.add(name);
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch === '/' || ch === ':') {
      out.add(name.slice(i + 1));
      if (ch === '/') out.add(name.slice(0, i));
    }
  }
}

/**
 * The names a stored signal could match a resource by, for the window query's index: its
 * references and every string of its body, each with its parts. A superset of what
 * `matchSignal` compares (resource names must be one of these for it to say `resource` or
 * `declaring_file`), so filtering by them loses no match.
 */
export function signalMatchKeys(refs: readonly string[], data: unknown): string[] {
  const keys = new Set<string>();
  let tooDeep = false;
  for (const r of refs) if (r.length <= MAX_KEY_LENGTH) withParts(r, keys);
  const walk = (v: unknown, depth: number) => {
    if (depth > 10) tooDeep = true;
    if (tooDeep || keys.size > MAX_KEYS) return;
    if (typeof v === 'string') {
      if (v.length <= MAX_KEY_LENGTH) withParts(v, keys);
    } else if (Array.isArray(v)) {
      for (const item of v) walk(item, depth + 1);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (k.length <= MAX_KEY_LENGTH) keys.add(k);
        walk(child, depth + 1);
      }
    }
  };
  walk(data, 0);
  keys.delete('');
  return tooDeep || keys.size > MAX_KEYS ? [ANY_KEY] : [...keys];
}

/** The keys a drifted resource is looked up by: its names, the path of its declaring file, and {@link ANY_KEY}. */
export function resourceMatchKeys(resource: ResourceIdentity): string[] {
  const keys = new Set<string>([ANY_KEY]);
  for (const n of [resource.physicalId, resource.name, resource.address]) if (n) keys.add(n);
  if (resource.namespace && resource.name) keys.add(`${resource.namespace}/${resource.name}`);
  // The declaring path and its tails (a commit listing `web.tf` for `infra/web.tf`); its
  // directories are the signal's side (a file under the declaring module's directory).
  const path = resource.source ? declaringPath(resource.source)?.replace(/\/$/, '') : null;
  if (path) {
    keys.add(path);
    for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) keys.add(path.slice(i + 1));
  }
  return [...keys];
}

const BASE: Record<MatchKind, number> = { resource: 0.9, declaring_file: 0.8, environment: 0.5 };
/** A signal this long before the change counts half as much as one at the same moment. */
const HALF_LIFE_MS = 6 * 3600_000;

/** Correlation score in [0,1]: the match kind's weight, decaying with the distance in time. */
export function correlationScore(match: MatchKind, offsetMs: number): number {
  const proximity = Math.pow(0.5, Math.abs(offsetMs) / HALF_LIFE_MS);
  return Math.round(BASE[match] * (0.5 + 0.5 * proximity) * 100) / 100;
}
