/**
 * What is removed from both sides before comparing (Argo CD's normalizers and kapp's rebase
 * rules): status, server-set metadata, bookkeeping annotations, controller owner references,
 * cluster-assigned fields. Secret stringData is folded into base64 data as the API server does.
 */
import type { Json } from '../model/observation.js';
import { isRecord, type JsonRecord } from './input.guards.js';

const METADATA_FIELDS = [
  'managedFields',
  'resourceVersion',
  'uid',
  'generation',
  'creationTimestamp',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];
const ANNOTATIONS = [
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'argocd.argoproj.io/tracking-id',
];
const WEBHOOK_KINDS = new Set(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);

export function normalizeKubernetes(body: JsonRecord, kind: string): JsonRecord {
  const o = structuredClone(body);
  delete o.status;
  delete o.apiVersion;
  delete o.kind;
  const meta = isRecord(o.metadata) ? o.metadata : undefined;
  if (meta) {
    for (const f of METADATA_FIELDS) delete meta[f];
    if (isRecord(meta.annotations)) {
      for (const a of ANNOTATIONS) delete meta.annotations[a];
    }
    if (Array.isArray(meta.ownerReferences)) {
      meta.ownerReferences = meta.ownerReferences.filter((r) => !(isRecord(r) && r.controller === true));
    }
  }
  const spec = isRecord(o.spec) ? o.spec : undefined;
  if (kind === 'Service' && spec) {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }
  if (kind === 'PersistentVolumeClaim' && spec) {
    delete spec.volumeName;
    delete spec.storageClassName;
  }
  if (kind === 'Namespace' && spec) delete spec.finalizers;
  if (kind === 'ServiceAccount') delete o.secrets;
  if (kind === 'APIService' && spec) delete spec.caBundle;
  if (WEBHOOK_KINDS.has(kind) && Array.isArray(o.webhooks)) {
    for (const w of o.webhooks) if (isRecord(w) && isRecord(w.clientConfig)) delete w.clientConfig.caBundle;
  }
  if (kind === 'Secret') foldStringData(o);
  return o;
}

function foldStringData(o: JsonRecord): void {
  if (!isRecord(o.stringData)) return;
  const data: Record<string, Json> = isRecord(o.data) ? (o.data as Record<string, Json>) : {};
  for (const [k, v] of Object.entries(o.stringData))
    data[k] = Buffer.from(typeof v === 'string' ? v : JSON.stringify(v ?? ''), 'utf8').toString('base64');
  o.data = data;
  delete o.stringData;
}
