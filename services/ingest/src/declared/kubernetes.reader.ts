import type { JsonValue } from '@driftguard/contracts';
import {
  SENSITIVE_MASK,
  identityProblem,
  type DeclaredReadResult,
  type DeclaredResource,
  type RejectedItem,
} from './declared-resource.js';
import { isRecord } from './declared-text.js';
import { readDocuments, type SourceDocument } from './declared-yaml.js';
import { kubernetesResourceId, kubernetesResourceType } from './kubernetes-identity.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Reads Kubernetes manifests: multi-document YAML, a JSON object or array, `kind: List` (and
 * `*List` kinds carrying `items`). Empty documents are skipped; documents that are not objects or
 * do not name an object are returned in `rejected`. Malformed YAML or JSON throws a
 * DeclaredFormatError naming the document index and line. Secret `data`/`stringData` values are
 * masked. The first declaration of an identity wins; later ones are rejected as duplicates.
 * `skipNonManifests` ignores documents without apiVersion and kind instead of rejecting them
 * (files in a repository that merely mention both words).
 */
export function readKubernetesManifests(text: string, options: { skipNonManifests?: boolean } = {}): DeclaredReadResult {
  const resources: DeclaredResource[] = [];
  const rejected: RejectedItem[] = [];
  const seen = new Map<string, string>();

  const addObject = (value: Record<string, unknown>, path: string): void => {
    const problem = objectProblem(value);
    if (problem !== null) {
      rejected.push({ path, reason: problem });
      return;
    }
    if ((value.apiVersion as string).startsWith('kustomize.config.k8s.io/')) {
      rejected.push({
        path,
        reason: `${String(value.kind)} is kustomize configuration, not a cluster object; upload the output of kustomize build`,
      });
      return;
    }
    const metadata = value.metadata as Record<string, unknown>;
    const ref = {
      apiVersion: value.apiVersion as string,
      kind: value.kind as string,
      namespace: typeof metadata.namespace === 'string' ? metadata.namespace : undefined,
      name: metadata.name as string,
    };
    const resourceType = kubernetesResourceType(ref);
    const resourceId = kubernetesResourceId(ref);
    const tooLong = identityProblem(resourceType, resourceId);
    if (tooLong !== null) {
      rejected.push({ path, reason: tooLong });
      return;
    }
    const first = seen.get(resourceId);
    if (first !== undefined) {
      rejected.push({ path, reason: `${resourceId} is already declared at ${first || '(root)'}` });
      return;
    }
    seen.set(resourceId, path);
    resources.push({ resourceType, resourceId, declaredState: maskSecretValues(value) as JsonValue });
  };

  for (const doc of splitDocuments(text)) {
    if (doc.value === null || doc.value === undefined) continue;
    if (options.skipNonManifests && !(isRecord(doc.value) && 'apiVersion' in doc.value && 'kind' in doc.value)) continue;
    if (!isRecord(doc.value)) {
      rejected.push({ path: doc.path, reason: `not a Kubernetes object (a ${describe(doc.value)})` });
      continue;
    }
    if (isList(doc.value)) {
      const items = doc.value.items as unknown[];
      items.forEach((item, index) => {
        const path = `${doc.path}/items/${index}`;
        if (isRecord(item) && !isList(item)) addObject(item, path);
        else rejected.push({ path, reason: `a List item must be a Kubernetes object, not a ${describe(item)}` });
      });
      continue;
    }
    addObject(doc.value, doc.path);
  }
  return { resources, rejected };
}

function splitDocuments(text: string): SourceDocument[] {
  const docs = readDocuments(text, 'kubernetes', { merge: true });
  // A JSON array holds several objects, as a YAML stream does.
  if (docs.length === 1 && docs[0]!.path === '' && Array.isArray(docs[0]!.value)) {
    return (docs[0]!.value as unknown[]).map((value, index) => ({ path: `/${index}`, index, value }));
  }
  return docs;
}

function isList(value: Record<string, unknown>): boolean {
  return typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items);
}

function objectProblem(value: Record<string, unknown>): string | null {
  if (typeof value.apiVersion !== 'string' || value.apiVersion === '') return 'apiVersion is missing or not a string';
  if (typeof value.kind !== 'string' || value.kind === '') return 'kind is missing or not a string';
  const metadata = value.metadata;
  if (!isRecord(metadata)) return `${value.kind}: metadata is missing or not an object`;
  if (typeof metadata.name !== 'string' || metadata.name === '') {
    return typeof metadata.generateName === 'string'
      ? `${value.kind}: metadata.generateName objects have no stable name to compare`
      : `${value.kind}: metadata.name is missing or not a string`;
  }
  if (metadata.namespace !== undefined && typeof metadata.namespace !== 'string')
    return `${value.kind} ${metadata.name}: metadata.namespace is not a string`;
  return null;
}

/** Secret values are replaced by the mask, including their copy in the last-applied annotation. */
function maskSecretValues(value: Record<string, unknown>): Record<string, unknown> {
  if (value.apiVersion !== 'v1' || value.kind !== 'Secret') return value;
  const masked: Record<string, unknown> = { ...value };
  for (const key of ['data', 'stringData'] as const) {
    const entries = value[key];
    if (isRecord(entries)) masked[key] = Object.fromEntries(Object.keys(entries).map((k) => [k, SENSITIVE_MASK]));
  }
  const metadata = value.metadata as Record<string, unknown>;
  if (isRecord(metadata.annotations) && LAST_APPLIED in metadata.annotations) {
    masked.metadata = { ...metadata, annotations: { ...metadata.annotations, [LAST_APPLIED]: SENSITIVE_MASK } };
  }
  return masked;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  return value === null ? 'null' : typeof value;
}
