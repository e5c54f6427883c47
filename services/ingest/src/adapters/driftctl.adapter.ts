/**
 * driftctl `scan -o json://` output (serializableAnalysis). managed ⇒ in_sync, unmanaged ⇒ added,
 * missing ⇒ deleted, alerts ⇒ alerts (not drift), coverage from the file. Output from before v0.40
 * (deep mode) may carry `differences[].changelog` (r3labs/diff): those resources are modified
 * (computed entries skipped) and not also in_sync.
 */
import type { Adapter, Json, Observation, PropertyChange, RejectedItem, ResourceRef } from '../model/observation.js';
import { toPointer } from '../model/json-pointer.js';
import { finalizeChange } from '../diff/diff.engine.js';
import { compact, isRecord, optionalArray, requireArray, str } from './input.guards.js';
import { wrongFormat } from './format.sniff.js';
import { finishOutput } from './observation.post-process.js';

const F = 'driftctl';
const CHANGE_TYPES: Record<string, PropertyChange['changeType']> = { create: 'added', update: 'modified', delete: 'removed' };

export const driftctlAdapter: Adapter = (input, opts) => {
  if (!isRecord(input)) throw wrongFormat(F, 'the body must be the JSON object of driftctl scan -o json://', input);
  const missingKeys = ['managed', 'unmanaged', 'missing'].filter(
    (k) => !(k in input) && !(k === 'missing' && 'deleted' in input),
  );
  if (missingKeys.length === 3 || !('summary' in input || 'coverage' in input)) {
    throw wrongFormat(
      F,
      `missing ${missingKeys.length ? missingKeys.map((k) => `"${k}"`).join(', ') : '"summary"/"coverage"'}`,
      input,
    );
  }
  const rejected: RejectedItem[] = [];
  const managed = refs(input.managed, '/managed', rejected);
  const unmanaged = refs(input.unmanaged, '/unmanaged', rejected);
  const missingKey = 'missing' in input ? 'missing' : 'deleted';
  const missing = refs(input[missingKey], `/${missingKey}`, rejected);
  const modified = differences(input.differences, rejected);

  const observations: Observation[] = [...modified.values()];
  for (const ref of managed) if (!modified.has(key(ref))) observations.push({ kind: 'in_sync', resource: ref });
  for (const ref of unmanaged) observations.push({ kind: 'added', resource: ref, actual: null });
  for (const ref of missing) observations.push({ kind: 'deleted', resource: ref, declared: null });

  const summary = isRecord(input.summary) ? input.summary : {};
  const count = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
  const coverage = {
    managed: count(summary.total_managed, managed.length),
    unmanaged: count(summary.total_unmanaged, unmanaged.length),
    missing: count(summary.total_missing, missing.length),
    percent: count(input.coverage, 0),
  };
  return finishOutput(
    {
      format: F,
      resourcesSeen: count(summary.total_resources, managed.length + unmanaged.length + missing.length),
      rejected,
      coverage,
      alerts: alerts(input.alerts, rejected),
      // provider_name/provider_version describe the cloud provider plugin, not driftctl itself.
      scanner: { name: 'driftctl' },
    },
    observations,
    opts,
  );
};

const key = (r: ResourceRef) => `${r.type}\u0000${r.physicalId}`;

function refOf(item: unknown, path: string, rejected: RejectedItem[]): ResourceRef | undefined {
  if (!isRecord(item)) return void rejected.push({ path, reason: 'resource must be an object' });
  const type = str(item.type);
  const id = typeof item.id === 'number' ? String(item.id) : str(item.id);
  if (!type || !id) return void rejected.push({ path, reason: 'resource needs "type" and "id"' });
  const ref: ResourceRef = { type, physicalId: id };
  const source = isRecord(item.source) ? item.source : undefined;
  if (source) {
    const namespace = str(source.namespace);
    const name = str(source.internal_name);
    ref.source = str(source.source);
    if (namespace && namespace !== 'root' && namespace !== 'root_module') ref.module = namespace;
    if (name) {
      ref.name = name;
      ref.address = `${ref.module ? ref.module + '.' : ''}${type}.${name}`;
    }
  }
  return compact(ref);
}

function refs(list: unknown, path: string, rejected: RejectedItem[]): ResourceRef[] {
  const out: ResourceRef[] = [];
  optionalArray(list, F, path, path.slice(1)).forEach((item, i) => {
    const ref = refOf(item, `${path}/${i}`, rejected);
    if (ref) out.push(ref);
  });
  return out;
}

function differences(list: unknown, rejected: RejectedItem[]): Map<string, Observation> {
  const out = new Map<string, Observation>();
  optionalArray(list, F, '/differences', 'differences').forEach((d, i) => {
    const path = `/differences/${i}`;
    if (!isRecord(d)) return void rejected.push({ path, reason: 'difference must be an object' });
    const ref = refOf(d.res, `${path}/res`, rejected);
    if (!ref) return;
    const changes: PropertyChange[] = [];
    requireArray(d.changelog ?? [], F, `${path}/changelog`, 'changelog').forEach((c, j) => {
      const cpath = `${path}/changelog/${j}`;
      if (!isRecord(c)) return void rejected.push({ path: cpath, reason: 'changelog entry must be an object' });
      if (c.computed === true) return; // provider-computed: not drift
      const changeType = CHANGE_TYPES[String(c.type)];
      if (!changeType || !Array.isArray(c.path))
        return void rejected.push({ path: cpath, reason: 'changelog entry needs "type" (create|update|delete) and "path"' });
      changes.push(
        finalizeChange(
          ref,
          {
            path: toPointer(c.path.map((s) => (typeof s === 'number' ? s : String(s)))),
            declared: changeType === 'added' ? undefined : ((c.from ?? null) as Json),
            actual: changeType === 'removed' ? undefined : ((c.to ?? null) as Json),
            changeType,
          },
          undefined,
          {},
        ),
      );
    });
    const k = key(ref);
    const previous = out.get(k);
    if (previous?.kind === 'modified') previous.changes.push(...changes);
    else if (changes.length > 0) out.set(k, { kind: 'modified', resource: ref, declared: null, actual: null, changes });
  });
  return out;
}

function alerts(v: unknown, rejected: RejectedItem[]): { resourceType: string; message: string }[] {
  if (v === undefined || v === null) return [];
  if (!isRecord(v)) {
    rejected.push({ path: '/alerts', reason: 'alerts must be an object keyed by resource type' });
    return [];
  }
  const out: { resourceType: string; message: string }[] = [];
  for (const [resourceType, list] of Object.entries(v)) {
    if (!Array.isArray(list)) continue;
    for (const a of list) if (isRecord(a) && typeof a.message === 'string') out.push({ resourceType, message: a.message });
  }
  return out;
}
