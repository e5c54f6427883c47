/** Reading Kubernetes objects from declared manifests and live `kubectl get -o json` output. */
import type { Json, RejectedItem } from '../model/observation.js';
import { ScanFormatError } from '../model/scan-format.error.js';
import { parseYamlBody } from '../model/parse-scan-body.js';
import {
  isClusterScoped,
  kubernetesGroupOf,
  DEFAULT_NAMESPACE,
  type KubernetesObjectRef,
} from '../declared/kubernetes-identity.js';
import { isRecord, str, typeName, type JsonRecord } from './input.guards.js';

const F = 'kubernetes';

/** An object read from a scan, with its identity (declared/kubernetes-identity.ts) and body. */
export interface KubeObject extends KubernetesObjectRef {
  body: JsonRecord;
  /** API group, the part of the identity that does not change with the version. */
  group: string;
  /** Pointer into the input, for rejections. */
  path: string;
}

/**
 * Objects of a declared or live document: a multi-document YAML string, an object, a `List`
 * (any `kind` ending in List with `items`), or an array of those.
 */
export function readObjects(v: unknown, path: string, rejected: RejectedItem[]): KubeObject[] {
  const out: KubeObject[] = [];
  const stack: { v: unknown; path: string }[] = [{ v: typeof v === 'string' ? parseYamlBody(F, v, undefined, path) : v, path }];
  while (stack.length > 0) {
    const { v: item, path: p } = stack.pop()!;
    if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push({ v: item[i], path: `${p}/${i}` });
      continue;
    }
    if (item === null || item === undefined) continue;
    if (!isRecord(item)) {
      rejected.push({ path: p, reason: `expected a Kubernetes object, got ${typeName(item)}` });
      continue;
    }
    const kind = str(item.kind);
    if (kind?.endsWith('List') && Array.isArray(item.items)) {
      for (let i = item.items.length - 1; i >= 0; i--) stack.push({ v: item.items[i], path: `${p}/items/${i}` });
      continue;
    }
    const meta = isRecord(item.metadata) ? item.metadata : undefined;
    const apiVersion = str(item.apiVersion);
    const name = str(meta?.name);
    if (!kind || !apiVersion || !name) {
      rejected.push({ path: p, reason: 'object needs apiVersion, kind and metadata.name' });
      continue;
    }
    out.push({
      body: item,
      apiVersion,
      kind,
      group: kubernetesGroupOf(apiVersion),
      name,
      namespace: str(meta?.namespace),
      path: p,
    });
  }
  return out;
}

/** The live object a declared one stands for; see kubernetes.adapter.ts for the namespace rule. */
export class LiveIndex {
  private readonly byName = new Map<string, KubeObject[]>();

  constructor(live: readonly KubeObject[]) {
    for (const o of live) {
      const k = `${o.group}/${o.kind}/${o.name}`;
      const list = this.byName.get(k);
      if (list) list.push(o);
      else this.byName.set(k, [o]);
    }
  }

  find(d: KubeObject): KubeObject | undefined {
    const candidates = this.byName.get(`${d.group}/${d.kind}/${d.name}`) ?? [];
    if (isClusterScoped(d.kind)) return candidates[0];
    if (d.namespace) return candidates.find((c) => (c.namespace ?? DEFAULT_NAMESPACE) === d.namespace);
    if (candidates.length === 1) return candidates[0];
    return candidates.find((c) => c.namespace === DEFAULT_NAMESPACE);
  }
}

export function requireKubernetesInput(input: unknown, declaredOpt: unknown): { declared: unknown; live: unknown } {
  if (!isRecord(input) || !('live' in input)) {
    throw new ScanFormatError(
      'wrong_format',
      F,
      '',
      'expected { declared, live }: declared manifests (YAML or JSON) and live objects (kubectl get -o json)',
    );
  }
  const declared = input.declared ?? declaredOpt;
  if (declared === undefined || declared === null) {
    throw new ScanFormatError(
      'invalid_structure',
      F,
      '/declared',
      'no declared manifests: send "declared" or sync the repository first',
    );
  }
  return { declared, live: input.live };
}

export type { Json };
