import type { RecommendationStep, RecommendationType } from '@driftguard/contracts';
import { stringify } from 'yaml';
import { maskedContext } from './file-diff.js';
import { ignoreRuleStep } from './ignore-rule.js';
import { isObject } from './json-pointer.js';
import {
  argoApplication,
  kubeIdentity,
  manifestJsonPatch,
  manifestOf,
  strategicMergePatch,
  type KubeIdentity,
} from './kubernetes-manifest.js';
import { liveOf } from './live-state.js';
import type { PlanInput } from './plan-input.js';
import { containsMasked } from './secrets.js';
import { documentFileDiff } from './source-diff.js';

const nsFlag = (k: KubeIdentity) => (k.namespace ? ` -n ${k.namespace}` : '');
const fileOf = (k: KubeIdentity) => `${k.namespace ? `${k.namespace}/` : ''}${k.kind.toLowerCase()}-${k.name}.yaml`;

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

/** The document declaring the object: same apiVersion, kind, name and namespace (none meaning `default`). */
function declaresObject(k: KubeIdentity): (value: unknown) => boolean {
  return (value) => {
    if (!isObject(value) || value['apiVersion'] !== k.apiVersion || value['kind'] !== k.kind) return false;
    const meta = isObject(value['metadata']) ? value['metadata'] : {};
    const ns = typeof meta['namespace'] === 'string' ? meta['namespace'] : undefined;
    return meta['name'] === k.name && (ns === k.namespace || (ns === undefined && k.namespace === 'default'));
  };
}

function codifySteps(input: PlanInput, k: KubeIdentity): RecommendationStep[] {
  const file = input.source?.path ?? fileOf(k);
  const steps: RecommendationStep[] = [];
  const patch = manifestJsonPatch(input);
  if (patch && patch.ops.length > 0) {
    const { live } = liveOf(input.declared ?? {}, input.changes);
    const diff = documentFileDiff(input, declaresObject(k), patch.ops);
    const jsonPatchStep: RecommendationStep = {
      title: 'Patch the manifest',
      text: `Apply these JSON Patch (RFC 6902) operations to the manifest declaring ${k.kind} ${k.name}, so it declares what runs now.`,
      patch: { format: 'json_patch', file, content: `${JSON.stringify(patch.ops, null, 2)}\n` },
    };
    if (diff && 'patch' in diff) {
      steps.push({
        title: 'Patch the manifest',
        text: `Apply this diff to ${file} (synced at commit ${diff.commit.slice(0, 12)}) with \`git apply\`, so ${k.kind} ${k.name} declares what runs now; comments and the other documents stay as they are.${maskedContext(diff.patch)}`,
        patch: diff.patch,
      });
      steps.push({ ...jsonPatchStep, title: 'Or apply the same change as JSON Patch' });
    } else {
      if (diff) steps.push({ title: 'Edit the file by hand', text: `${diff.why}; use the patches below.` });
      steps.push(jsonPatchStep);
    }
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
