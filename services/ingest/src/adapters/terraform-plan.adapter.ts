/**
 * `terraform show -json <plan>`: drift is what `resource_drift` reports (changes made outside
 * Terraform, found by refresh). `resource_changes` are planned configuration changes, not drift;
 * they are read only for `previous_address` (moves) and `importing`.
 *
 * - update → modified (before = last known state, after = refreshed), leafwise, masked by
 *   before_sensitive/after_sensitive, `after_unknown` leaves ignored; previous_address → moved.
 * - delete → deleted. no-op with previous_address → moved without changes.
 * - A resource_changes entry with previous_address and no drift entry → moved without changes
 *   (a -refresh-only plan lists such moves in resource_drift; a normal plan drops them there).
 * - Every other managed resource of prior_state is in_sync, so a later full plan resolves drift.
 */
import type { Adapter, Json, Observation, RejectedItem, ResourceRef } from '../model/observation.js';
import { diffResource } from '../diff/diff.engine.js';
import { maskBody } from '../diff/sensitive.mask.js';
import { compact, isRecord, json, optionalArray, str, type JsonRecord } from './input.guards.js';
import { wrongFormat } from './format.sniff.js';
import { finishOutput, observedAtOf } from './observation.post-process.js';
import { mirrorPointers, physicalIdOf } from './terraform-values.js';
import { readShowJsonModules } from './tfstate.reader.js';

const F = 'terraform-plan';

export const terraformPlanAdapter: Adapter = (input, opts) => {
  if (!isRecord(input)) throw wrongFormat(F, 'the body must be a JSON object from terraform show -json', input);
  if (typeof input.format_version !== 'string') throw wrongFormat(F, 'missing "format_version"', input);
  if (!('resource_drift' in input) && !('resource_changes' in input) && !('prior_state' in input)) {
    throw wrongFormat(F, 'none of "resource_drift", "resource_changes", "prior_state" is present', input);
  }
  const rejected: RejectedItem[] = [];
  const drift = optionalArray(input.resource_drift, F, '/resource_drift', 'resource_drift');
  const planned = optionalArray(input.resource_changes, F, '/resource_changes', 'resource_changes');
  const plannedByAddress = new Map<string, JsonRecord>();
  for (const c of planned) if (isRecord(c) && typeof c.address === 'string') plannedByAddress.set(c.address, c);

  const observations: Observation[] = [];
  const handled = new Set<string>();
  drift.forEach((entry, i) => {
    const o = driftObservation(entry, `/resource_drift/${i}`, plannedByAddress, rejected);
    if (o) {
      observations.push(o);
      handled.add(o.resource.address!);
    }
  });
  planned.forEach((entry, i) => {
    if (!isRecord(entry) || entry.mode === 'data' || typeof entry.address !== 'string' || handled.has(entry.address)) return;
    const previous = str(entry.previous_address);
    if (!previous || previous === entry.address) return;
    const change = isRecord(entry.change) ? entry.change : {};
    const state = json(change.before ?? change.after);
    const ref = refOf(entry, state, undefined);
    if (!ref) return void rejected.push({ path: `/resource_changes/${i}`, reason: 'resource change has no type' });
    observations.push({ kind: 'moved', resource: ref, previousAddress: previous, declared: state, actual: state, changes: [] });
    handled.add(entry.address);
  });

  const prior = priorResources(input, rejected);
  for (const r of prior.inSync ? prior.resources : []) {
    if (handled.has(r.address)) continue;
    const importing = isImporting(plannedByAddress.get(r.address)) ? true : undefined;
    const ref: ResourceRef = compact({
      address: r.address,
      type: r.type,
      name: r.name,
      provider: r.provider || undefined,
      module: r.module,
      index: r.index,
      physicalId: r.physicalId,
      importing,
    });
    observations.push({ kind: 'in_sync', resource: ref });
  }
  // `timestamp`: when terraform made the plan, i.e. refreshed (observed) the infrastructure.
  const observedAt = observedAtOf(input.timestamp, '/timestamp', rejected);
  return finishOutput(
    { format: F, resourcesSeen: prior.resources.length, rejected, ...scanner(input), ...(observedAt ? { observedAt } : {}) },
    observations,
    opts,
  );
};

function driftObservation(
  entry: unknown,
  path: string,
  planned: Map<string, JsonRecord>,
  rejected: RejectedItem[],
): Observation | undefined {
  if (!isRecord(entry)) return void rejected.push({ path, reason: 'drift entry must be an object' });
  if (entry.mode === 'data') return undefined;
  const change = entry.change;
  if (typeof entry.address !== 'string' || !isRecord(change) || !Array.isArray(change.actions)) {
    return void rejected.push({ path, reason: 'drift entry needs "address" and "change.actions"' });
  }
  const sensitivePaths = [...mirrorPointers(change.before_sensitive), ...mirrorPointers(change.after_sensitive)];
  const rawBefore = json(change.before);
  const rawAfter = json(change.after);
  // stored bodies never hold secrets; the diff below still sees the real values to hash them
  const before = maskBody(rawBefore, sensitivePaths);
  const after = maskBody(rawAfter, sensitivePaths);
  const ref = refOf(entry, rawAfter ?? rawBefore, planned.get(entry.address));
  if (!ref) return void rejected.push({ path, reason: 'drift entry has no type' });
  const previous = str(entry.previous_address) ?? str(planned.get(entry.address)?.previous_address);
  const moved = previous !== undefined && previous !== entry.address ? previous : undefined;
  const actions = change.actions.join(',');
  switch (actions) {
    case 'update': {
      const changes = diffResource(rawBefore, rawAfter, {
        resourceType: ref.type,
        profile: 'terraform',
        resource: ref,
        sensitivePaths,
        ignorePaths: mirrorPointers(change.after_unknown),
      });
      if (moved) return { kind: 'moved', resource: ref, previousAddress: moved, declared: before, actual: after, changes };
      return changes.length > 0
        ? { kind: 'modified', resource: ref, declared: before, actual: after, changes }
        : { kind: 'in_sync', resource: ref };
    }
    case 'delete':
      return { kind: 'deleted', resource: ref, declared: before };
    case 'no-op':
      return moved
        ? { kind: 'moved', resource: ref, previousAddress: moved, declared: before, actual: after, changes: [] }
        : undefined;
    case 'read':
      return undefined;
    default:
      return void rejected.push({
        path: `${path}/change/actions`,
        reason: `actions [${actions}] are not a drift (expected update, delete or no-op)`,
      });
  }
}

function refOf(entry: JsonRecord, values: Json, planned: JsonRecord | undefined): ResourceRef | undefined {
  const type = str(entry.type);
  if (!type) return undefined;
  const index = typeof entry.index === 'string' || typeof entry.index === 'number' ? entry.index : undefined;
  const importing = isImporting(entry) || isImporting(planned) ? true : undefined;
  return compact({
    address: str(entry.address),
    type,
    name: str(entry.name),
    provider: str(entry.provider_name),
    module: str(entry.module_address),
    index,
    physicalId: physicalIdOf(values),
    deposed: str(entry.deposed),
    importing,
  });
}

function isImporting(entry: JsonRecord | undefined): boolean {
  return isRecord(entry?.change) && isRecord(entry.change.importing);
}

/**
 * Managed resources of prior_state, which are in sync unless drift says otherwise. Without a
 * prior state, planned_values only gives the count: planned objects were not seen in the cloud.
 */
function priorResources(input: JsonRecord, rejected: RejectedItem[]) {
  if (isRecord(input.prior_state)) {
    const root = isRecord(input.prior_state.values) ? input.prior_state.values.root_module : undefined;
    return {
      inSync: true,
      resources: root === undefined ? [] : readShowJsonModules(root, '/prior_state/values/root_module', rejected),
    };
  }
  const planned = isRecord(input.planned_values) ? input.planned_values.root_module : undefined;
  return {
    inSync: false,
    resources: planned === undefined ? [] : readShowJsonModules(planned, '/planned_values/root_module', []),
  };
}

function scanner(input: JsonRecord): { scanner?: { name: string; version?: string } } {
  const version = str(input.terraform_version);
  return { scanner: version ? { name: 'terraform', version } : { name: 'terraform' } };
}
