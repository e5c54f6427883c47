import type { JsonValue } from '@driftguard/contracts';
import jsonPatch, { type Operation } from 'fast-json-patch';
import { formatPointer, isObject, parsePointer, valueAt } from './json-pointer.js';
import { liveOf } from './live-state.js';
import type { PlanInput } from './plan-input.js';
import { containsMasked } from './secrets.js';

/** Argo CD's default tracking label, and its annotation-based tracking. */
const ARGO_LABEL = 'app.kubernetes.io/instance';
const ARGO_ANNOTATION = 'argocd.argoproj.io/tracking-id';
/** Metadata the cluster writes: never part of a manifest. */
const SERVER_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
  'ownerReferences',
];

export interface KubeIdentity {
  apiVersion: string;
  group: string;
  kind: string;
  namespace: string | undefined;
  name: string;
}

/** apiVersion, kind, namespace and name from `apps/v1/Deployment/shop/web` or the identity's fields. */
export function kubeIdentity(input: PlanInput): KubeIdentity {
  const r = input.resource;
  const parts = (r.address ?? r.physicalId ?? '').split('/');
  const kind = r.type.split('/').at(-1) ?? r.type;
  const apiVersion = r.type.split('/').slice(0, -1).join('/') || 'v1';
  const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
  const nsFromAddress = parts.length >= 2 ? parts.at(-2) : undefined;
  return {
    apiVersion,
    group,
    kind,
    namespace: r.namespace ?? (nsFromAddress ? nsFromAddress : undefined),
    name: r.name ?? parts.at(-1) ?? '',
  };
}

/** The Argo CD application managing the object, by its tracking label or annotation. */
export function argoApplication(...bodies: (JsonValue | null)[]): string | null {
  for (const body of bodies) {
    const meta = isObject(body) && isObject(body['metadata']) ? body['metadata'] : null;
    const label = meta && isObject(meta['labels']) ? meta['labels'][ARGO_LABEL] : undefined;
    if (typeof label === 'string' && label) return label;
    const tracking = meta && isObject(meta['annotations']) ? meta['annotations'][ARGO_ANNOTATION] : undefined;
    if (typeof tracking === 'string' && tracking.includes(':')) return tracking.split(':')[0] ?? null;
  }
  return null;
}

/** The manifest with apiVersion and kind (normalized bodies drop them), without cluster-written fields. */
export function manifestOf(body: JsonValue, k: KubeIdentity): { [key: string]: JsonValue } {
  const src = isObject(body) ? body : {};
  const metadata = isObject(src['metadata']) ? { ...src['metadata'] } : {};
  for (const f of SERVER_METADATA) delete metadata[f];
  metadata['name'] ??= k.name;
  if (k.namespace) metadata['namespace'] ??= k.namespace;
  const { status: _status, apiVersion: _a, kind: _k, metadata: _m, ...rest } = src;
  return { apiVersion: k.apiVersion, kind: k.kind, metadata, ...rest };
}

/**
 * Secret values never go into a manifest patch: a container env value becomes a `secretKeyRef`
 * to a Secret named after the object; any other masked value is left out and said so.
 */
function secretSafe(ops: Operation[], k: KubeIdentity, declared: JsonValue): { ops: Operation[]; withheld: string[] } {
  const out: Operation[] = [];
  const withheld: string[] = [];
  const secretName = `${k.name}-secrets`;
  for (const op of ops) {
    if (op.op !== 'add' && op.op !== 'replace') {
      out.push(op);
      continue;
    }
    const value: unknown = op.value;
    if (!containsMasked(value)) {
      out.push(op);
      continue;
    }
    const segs = parsePointer(op.path);
    const envEntry = segs.at(-1) === 'value' ? valueAt(declared, formatPointer(segs.slice(0, -1))) : undefined;
    const envName = isObject(envEntry) && typeof envEntry['name'] === 'string' ? envEntry['name'] : null;
    if (envName && segs.at(-3) === 'env') {
      const entryPath = formatPointer(segs.slice(0, -1));
      if (op.op === 'replace') out.push({ op: 'remove', path: op.path });
      out.push({ op: 'add', path: `${entryPath}/valueFrom`, value: { secretKeyRef: { name: secretName, key: envName } } });
      continue;
    }
    if (segs.at(-2) === 'env' && isObject(op.value) && typeof op.value['name'] === 'string') {
      const { value: _v, ...entry } = op.value;
      out.push({ ...op, value: { ...entry, valueFrom: { secretKeyRef: { name: secretName, key: op.value['name'] } } } });
      continue;
    }
    withheld.push(op.path);
  }
  return { ops: out, withheld };
}

/** RFC 6902 operations turning the declared manifest into the live object, secrets as references. */
export function manifestJsonPatch(input: PlanInput): { ops: Operation[]; withheld: string[]; skipped: string[] } | null {
  if (!isObject(input.declared)) return null;
  const { live, skipped } = liveOf(input.declared, input.changes);
  const k = kubeIdentity(input);
  const raw = jsonPatch.compare(input.declared, isObject(live) ? live : {});
  const { ops, withheld } = secretSafe(raw, k, input.declared);
  return { ops, withheld, skipped };
}

/**
 * A strategic-merge patch of the changed fields: objects merge by key, lists of named items
 * (containers, env, ports with names) by `name`, other lists are given whole.
 */
export function strategicMergePatch(live: JsonValue, paths: readonly string[]): { [key: string]: JsonValue } {
  const patch: { [key: string]: JsonValue } = {};
  for (const path of paths) {
    const segs = parsePointer(path);
    let src: JsonValue | undefined = live;
    let dst: { [key: string]: JsonValue } = patch;
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i] ?? '';
      if (!isObject(src)) break;
      const next: JsonValue | undefined = src[seg];
      const last = i === segs.length - 1;
      if (last || next === undefined) {
        dst[seg] = next === undefined ? null : structuredClone(next);
        break;
      }
      if (Array.isArray(next)) {
        const item: JsonValue | undefined = next[Number(segs[i + 1])];
        if (isObject(item) && typeof item['name'] === 'string' && i + 1 < segs.length - 1) {
          const list: JsonValue[] = Array.isArray(dst[seg]) ? dst[seg] : [];
          let entry = list.find((e): e is { [key: string]: JsonValue } => isObject(e) && e['name'] === item['name']);
          if (!entry) {
            entry = { name: item['name'] };
            list.push(entry);
          }
          dst[seg] = list;
          dst = entry;
          src = item;
          i++;
          continue;
        }
        dst[seg] = structuredClone(next);
        break;
      }
      const child = isObject(dst[seg]) ? dst[seg] : {};
      dst[seg] = child;
      dst = child;
      src = next;
    }
  }
  return patch;
}
