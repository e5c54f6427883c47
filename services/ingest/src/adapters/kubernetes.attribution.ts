/**
 * Who last owned a drifted field, from the live object's managedFields (server-side apply field
 * sets, fieldsV1). A change pointer (declared indexes) is translated to a field-set path
 * (`f:spec`, `f:containers`, `k:{"name":"nginx"}`, …); the manager whose set holds that path, or
 * the deepest existing ancestor of it, is credited. When nothing resolves, all managers are
 * listed without paths.
 */
import type { Attribution, Json, PropertyChange } from '../model/observation.js';
import { parsePointer } from '../model/json-pointer.js';
import { planFor } from '../diff/diff.plan.js';
import { isRecord, str, type JsonRecord } from './input.guards.js';

interface ManagedEntry {
  manager: string;
  operation?: string;
  time?: string;
  fields: JsonRecord;
}

/**
 * Field managers of controllers that own fields by design (an HPA setting `/spec/replicas`
 * through kube-controller-manager, an autoscaler, a VPA): a field such a manager owns outright
 * is the controller doing its job, not drift, as Argo CD's managedFieldsManagers lets users say.
 */
export const CONTROLLER_MANAGERS: ReadonlySet<string> = new Set([
  'kube-controller-manager',
  'horizontal-pod-autoscaler',
  'cluster-autoscaler',
  'vpa-updater',
  'vpa-recommender',
  'keda-operator',
  'karpenter',
]);

/** Change paths whose field a controller manager owns exactly (the field itself, not an ancestor). */
export function controllerOwnedPaths(
  live: JsonRecord,
  declared: JsonRecord,
  resourceType: string,
  changes: readonly PropertyChange[],
): Set<string> {
  const owned = new Set<string>();
  const controllers = managedEntries(live).filter((e) => CONTROLLER_MANAGERS.has(e.manager));
  if (controllers.length === 0) return owned;
  for (const change of changes) {
    const fieldPath = toFieldPath(declared, change.path, resourceType);
    if (controllers.some((e) => ownedDepth(e.fields, fieldPath) === fieldPath.length)) owned.add(change.path);
  }
  return owned;
}

function managedEntries(live: JsonRecord): ManagedEntry[] {
  const meta = isRecord(live.metadata) ? live.metadata : undefined;
  const entries: ManagedEntry[] = [];
  if (Array.isArray(meta?.managedFields)) {
    for (const m of meta.managedFields) {
      if (!isRecord(m) || !str(m.manager)) continue;
      const e: ManagedEntry = { manager: str(m.manager)!, fields: isRecord(m.fieldsV1) ? m.fieldsV1 : {} };
      if (str(m.operation)) e.operation = str(m.operation);
      if (str(m.time)) e.time = str(m.time);
      entries.push(e);
    }
  }
  return entries;
}

export function attribute(
  live: JsonRecord,
  declared: JsonRecord,
  resourceType: string,
  changes: readonly PropertyChange[],
): Attribution | undefined {
  const entries = managedEntries(live);
  if (entries.length > 0) return attributeTo(entries, declared, resourceType, changes);
  return undefined;
}

function attributeTo(
  entries: ManagedEntry[],
  declared: JsonRecord,
  resourceType: string,
  changes: readonly PropertyChange[],
): Attribution | undefined {
  const credited = new Map<ManagedEntry, string[]>();
  for (const change of changes) {
    const fieldPath = toFieldPath(declared, change.path, resourceType);
    let best: { entry: ManagedEntry; depth: number } | undefined;
    for (const e of entries) {
      const depth = ownedDepth(e.fields, fieldPath);
      if (depth > 0 && (!best || depth > best.depth)) best = { entry: e, depth };
    }
    if (best) credited.set(best.entry, [...(credited.get(best.entry) ?? []), change.path]);
  }
  const list = credited.size > 0 ? [...credited].map(([e, paths]) => ({ ...summary(e), paths })) : entries.map(summary);
  return { managers: list };
}

function summary(e: ManagedEntry): { manager: string; operation?: string; time?: string } {
  const out: { manager: string; operation?: string; time?: string } = { manager: e.manager };
  if (e.operation) out.operation = e.operation;
  if (e.time) out.time = e.time;
  return out;
}

/** How many leading steps of `path` exist in the field set (0 = none). */
function ownedDepth(fields: JsonRecord, path: readonly string[]): number {
  let node: unknown = fields;
  let depth = 0;
  for (const step of path) {
    if (!isRecord(node) || !(step in node)) break;
    node = node[step];
    depth++;
  }
  return depth;
}

/** Pointer (declared indexes) → fieldsV1 steps, using merge keys for lists of maps. */
function toFieldPath(declared: JsonRecord, pointer: string, resourceType: string): string[] {
  const plan = planFor('kubernetes', resourceType);
  const out: string[] = [];
  let node: unknown = declared;
  let parentKey: string | undefined;
  for (const seg of parsePointer(pointer)) {
    if (Array.isArray(node)) {
      const el: unknown = node[Number(seg)];
      const rule = plan.arrayRule(parentKey, node);
      if (rule.mode === 'keyed' && isRecord(el)) {
        const key: Record<string, Json> = {};
        for (const k of [...rule.keys].sort()) {
          const v = el[k] ?? rule.defaults?.[k];
          if (v !== undefined && v !== null)
            key[k] = typeof v === 'string' && /^\d+$/.test(v) && /Port$|^port$/.test(k) ? Number(v) : (v as Json);
        }
        out.push(`k:${JSON.stringify(key)}`);
      } else if (rule.mode === 'set' && (typeof el === 'string' || typeof el === 'number')) out.push(`v:${JSON.stringify(el)}`);
      else break; // atomic list: owned as a whole by its field
      node = el;
      parentKey = undefined;
    } else if (isRecord(node)) {
      out.push(`f:${seg}`);
      node = node[seg];
      parentKey = seg;
    } else break;
  }
  return out;
}
