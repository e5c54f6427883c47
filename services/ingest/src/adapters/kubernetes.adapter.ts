/**
 * Kubernetes: declared manifests against live objects, `{ declared, live }` (opts.declared may
 * supply the manifests). Like Argo CD's 2-way diff, only fields the manifest sets count; server
 * defaults, status and bookkeeping metadata are not drift (kubernetes.normalize.ts), lists of maps
 * merge by their Kubernetes merge keys, quantities compare by value, Secret data is masked.
 *
 * Identity is API group + kind + namespace + name (the version is not part of it). A namespaced
 * manifest without a namespace matches the live object of that name if there is exactly one,
 * else the one in "default" (where kubectl apply would have put it).
 * Live objects that no manifest declares are added (unmanaged) within the scan's scope, leaving
 * out what controllers and the cluster create (kubernetes.unmanaged.ts); declared objects missing
 * live are deleted. Changed fields are attributed to their field manager (managedFields) when
 * possible.
 */
import type { Adapter, Json, Observation, RejectedItem, ResourceRef } from '../model/observation.js';
import { SENSITIVE_MARKER } from '../sensitivity/index.js';
import { diffResource } from '../diff/diff.engine.js';
import { blindAt, maskedPointers } from '../diff/sensitive.mask.js';
import { compact, json, type JsonRecord } from './input.guards.js';
import { finishOutput } from './observation.post-process.js';
import { attribute, controllerOwnedPaths } from './kubernetes.attribution.js';
import { normalizeKubernetes } from './kubernetes.normalize.js';
import { LiveIndex, readObjects, requireKubernetesInput, type KubeObject } from './kubernetes.objects.js';
import {
  DEFAULT_NAMESPACE,
  isClusterScoped,
  kubernetesResourceId,
  kubernetesResourceType,
} from '../declared/kubernetes-identity.js';
import { unmanagedObjects } from './kubernetes.unmanaged.js';

const F = 'kubernetes';
const SECRET_PATHS = ['/data', '/stringData'];

export const kubernetesAdapter: Adapter = (input, opts) => {
  const { declared: declaredInput, live: liveInput } = requireKubernetesInput(input, opts.declared);
  const rejected: RejectedItem[] = [];
  const declaredPath = (input as JsonRecord).declared !== undefined ? '/declared' : '';
  const declared = readObjects(declaredInput, declaredPath, rejected);
  const liveObjects = readObjects(liveInput, '/live', rejected);
  const live = new LiveIndex(liveObjects);
  const observations: Observation[] = [];
  for (const d of declared) {
    const l = live.find(d);
    const resource = refOf(d, l);
    const declaredBody = json(normalizeKubernetes(d.body, d.kind));
    if (!l) {
      observations.push({ kind: 'deleted', resource, declared: d.kind === 'Secret' ? maskSecret(json(d.body)) : json(d.body) });
      continue;
    }
    // Manifests kept at rest hold Secret values masked: those values are unknown, not drift.
    const unknown = maskedPointers(declaredBody);
    const liveBody = blindAt(json(normalizeKubernetes(l.body, l.kind)), unknown);
    const diffed = diffResource(declaredBody, liveBody, {
      resourceType: resource.type,
      profile: 'kubernetes',
      onlyDeclared: true,
      sensitivePaths: d.kind === 'Secret' ? SECRET_PATHS : unknown,
      resource,
    });
    const controlled = controllerOwnedPaths(l.body, d.body, resource.type, diffed);
    const changes = controlled.size > 0 ? diffed.filter((c) => !controlled.has(c.path)) : diffed;
    if (changes.length === 0) {
      observations.push({ kind: 'in_sync', resource });
      continue;
    }
    const attribution = attribute(l.body, d.body, resource.type, changes);
    const masked =
      d.kind === 'Secret'
        ? { declared: maskSecret(declaredBody), actual: maskSecret(liveBody) }
        : { declared: declaredBody, actual: liveBody };
    observations.push({
      kind: 'modified',
      resource,
      declared: masked.declared,
      actual: masked.actual,
      changes,
      ...(attribution ? { attribution } : {}),
    });
  }
  const matched = new Set(declared.flatMap((d) => live.find(d) ?? []));
  const unmanaged = unmanagedObjects(declared, liveObjects, matched);
  for (const l of unmanaged) observations.push({ kind: 'added', resource: unmanagedRef(l), actual: unmanagedBody(l) });
  const missing = declared.length - matched.size;
  const total = declared.length + unmanaged.length;
  const coverage = {
    managed: matched.size,
    unmanaged: unmanaged.length,
    missing,
    percent: total > 0 ? Math.trunc((matched.size / total) * 100) : 0,
  };
  return finishOutput(
    { format: F, resourcesSeen: total, rejected, coverage, scanner: { name: 'kubernetes' } },
    observations,
    opts,
  );
};

/** An unmanaged object has no IaC address: it is known by its live identity. */
function unmanagedRef(l: KubeObject): ResourceRef {
  return compact({
    type: kubernetesResourceType(l),
    name: l.name,
    namespace: isClusterScoped(l.kind) ? undefined : (l.namespace ?? DEFAULT_NAMESPACE),
    kind: l.kind,
    apiVersion: l.apiVersion,
    physicalId: kubernetesResourceId(l),
  });
}

/** The object as the security rules judge it and the drift keeps it: normalized, secrets masked. */
function unmanagedBody(l: KubeObject): Json {
  const body = json(normalizeKubernetes(l.body, l.kind));
  return l.kind === 'Secret' ? maskSecret(body) : body;
}

function refOf(d: KubeObject, l: KubeObject | undefined): ResourceRef {
  const namespace = l?.namespace ?? d.namespace;
  return compact({
    address: kubernetesResourceId(d),
    type: kubernetesResourceType(d),
    name: d.name,
    namespace,
    kind: d.kind,
    apiVersion: d.apiVersion,
    physicalId: l ? kubernetesResourceId(l) : undefined,
  });
}

/** Bodies carried on an observation never hold secret values. */
function maskSecret(body: Json): Json {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const out = { ...body };
  for (const k of ['data', 'stringData']) {
    const v = out[k];
    if (v && typeof v === 'object') out[k] = Object.fromEntries(Object.keys(v).map((key) => [key, SENSITIVE_MARKER]));
  }
  return out;
}
