import type { JsonValue, RecommendationStep, RecommendationType } from '@driftguard/contracts';
import jsonPatch, { type Operation } from 'fast-json-patch';
import { stringify } from 'yaml';
import { ignoreRuleStep } from './ignore-rule.js';
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

interface KubeIdentity {
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

const nsFlag = (k: KubeIdentity) => (k.namespace ? ` -n ${k.namespace}` : '');
const fileOf = (k: KubeIdentity) => `${k.namespace ? `${k.namespace}/` : ''}${k.kind.toLowerCase()}-${k.name}.yaml`;

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

function revertSteps(input: PlanInput, k: KubeIdentity, app: string | null): RecommendationStep[] {
  if (app) {
    return [
      {
        title: 'See the difference',
        text: `Argo CD application ${app} tracks this object.`,
        command: `argocd app diff ${app}`,
      },
      {
        title: 'Sync it from git',
        text: `Argo CD applies the declared ${k.kind} ${k.name} again.`,
        command: `argocd app sync ${app} --resource '${k.group}:${k.kind}:${k.namespace ? `${k.namespace}/` : ''}${k.name}'`,
      },
    ];
  }
  const canInline = isObject(input.declared) && !containsMasked(input.declared);
  const file = fileOf(k);
  const apply: RecommendationStep = canInline
    ? {
        title: 'Apply the declared manifest',
        text: `Apply ${k.kind} ${k.name} as the repository declares it.`,
        command: `kubectl apply -f ${file}`,
        patch: { format: 'yaml', file, content: stringify(manifestOf(input.declared, k)) },
      }
    : {
        title: 'Apply the declared manifest',
        text: `Apply the manifest declaring ${k.kind} ${k.name} from the repository (it holds secrets, so it is not repeated here).`,
        command: `kubectl apply -f <manifest of ${k.kind} ${k.name}>`,
      };
  return [
    { title: 'See the difference', text: 'kubectl shows what applying would change.', command: `kubectl diff -f ${file}` },
    apply,
  ];
}

function codifySteps(input: PlanInput, k: KubeIdentity): RecommendationStep[] {
  const file = fileOf(k);
  const steps: RecommendationStep[] = [];
  const patch = manifestJsonPatch(input);
  if (patch && patch.ops.length > 0) {
    const { live } = liveOf(input.declared ?? {}, input.changes);
    steps.push({
      title: 'Patch the manifest',
      text: `Apply these JSON Patch (RFC 6902) operations to the manifest declaring ${k.kind} ${k.name}, so it declares what runs now.`,
      patch: { format: 'json_patch', file, content: `${JSON.stringify(patch.ops, null, 2)}\n` },
    });
    steps.push({
      title: 'Or merge this into the manifest',
      text: 'The same change as a strategic-merge patch.',
      patch: {
        format: 'strategic_merge',
        file,
        content: stringify(
          strategicMergePatch(
            live,
            patch.ops.filter((o) => !patch.withheld.includes(o.path)).map((o) => o.path),
          ),
        ),
      },
    });
    if (patch.withheld.length > 0)
      steps.push({
        title: 'Keep secrets in the secret store',
        text: `${patch.withheld.join(', ')} hold secrets: manage them with your secret store (a Secret, sealed or external), not in the manifest.`,
      });
  } else if (!patch) {
    const list = input.changes.map((c) => c.path).join(', ');
    steps.push({
      title: 'Edit the manifest',
      text: `Set ${list} of ${k.kind} ${k.name} to the live values (the declared manifest was not found).`,
    });
  }
  steps.push({
    title: 'Check',
    text: 'After the change is merged, kubectl shows no difference.',
    command: `kubectl diff -f ${file}`,
  });
  return steps;
}

function importSteps(input: PlanInput, k: KubeIdentity): RecommendationStep[] {
  const file = fileOf(k);
  if (!isObject(input.live)) {
    return [
      {
        title: 'Export the object',
        text: 'Write its live definition to the repository.',
        command: `kubectl get ${k.kind.toLowerCase()} ${k.name}${nsFlag(k)} -o yaml`,
      },
    ];
  }
  const manifest = manifestOf(input.live, k);
  if (containsMasked(manifest)) {
    return [
      {
        title: 'Declare it through the secret store',
        text: `${k.kind} ${k.name} holds secrets: declare it with your secret store (sealed or external secrets), never as plain values in git.`,
      },
    ];
  }
  return [
    {
      title: 'Add the manifest to the repository',
      text: `Declare the unmanaged ${k.kind} ${k.name} as it runs now (cluster-written fields left out).`,
      patch: { format: 'yaml', file, content: stringify(manifest) },
    },
    { title: 'Check', text: 'kubectl shows no difference once it is declared.', command: `kubectl diff -f ${file}` },
  ];
}

function acceptSteps(input: PlanInput, k: KubeIdentity, app: string | null): RecommendationStep[] {
  const paths = input.changes.map((c) => c.path);
  const steps = [ignoreRuleStep(input.resource, paths, 'managed by a controller')];
  if (app) {
    const ignore = {
      spec: {
        ignoreDifferences: [
          { group: k.group, kind: k.kind, name: k.name, ...(k.namespace ? { namespace: k.namespace } : {}), jsonPointers: paths },
        ],
      },
    };
    steps.push({
      title: 'Tell Argo CD too',
      text: `Merge into Application ${app} so it stops syncing the managed fields back.`,
      patch: { format: 'yaml', content: stringify(ignore) },
    });
  }
  return steps;
}

/** Ordered Kubernetes steps for a recommendation: kubectl or Argo CD commands and manifest patches. */
export function kubernetesSteps(type: RecommendationType, input: PlanInput): RecommendationStep[] {
  const k = kubeIdentity(input);
  const app = argoApplication(input.declared, input.live);
  const inspect: RecommendationStep = {
    title: 'Look at the live object',
    text: `Compare ${k.kind} ${k.name} with its manifest.`,
    command: `kubectl get ${k.kind.toLowerCase()} ${k.name}${nsFlag(k)} -o yaml`,
  };
  switch (type) {
    case 'auto_revert':
      return revertSteps(input, k, app);
    case 'codify_iac':
      if (input.driftType === 'added') return importSteps(input, k);
      if (input.driftType === 'deleted')
        return [
          {
            title: 'Remove the manifest',
            text: `Delete the manifest of ${k.kind} ${k.name} from the repository: it no longer runs.`,
          },
        ];
      return codifySteps(input, k);
    case 'accept_exception':
      return acceptSteps(input, k, app);
    case 'escalate_review':
    case 'manual_review':
      if (input.driftType === 'added')
        return [inspect, ...importSteps(input, k).map((s) => ({ ...s, title: `If it stays: ${s.title.toLowerCase()}` }))];
      return [
        inspect,
        ...(input.driftType === 'modified'
          ? codifySteps(input, k)
              .slice(0, 1)
              .map((s) => ({ ...s, title: `If the change stays: ${s.title.toLowerCase()}` }))
          : []),
        ...revertSteps(input, k, app)
          .slice(-1)
          .map((s) => ({ ...s, title: `If it goes: ${s.title.toLowerCase()}` })),
      ];
    default: {
      const never: never = type;
      throw new Error(`unknown recommendation type ${String(never)}`);
    }
  }
}
