/**
 * Declared state (tfstate v4 or show-json state) against a cloud inventory snapshot, the way
 * driftctl compares IaC with remote resources, plus attribute diffs:
 *
 *   { state?: <state>, inventory: { resources: [{ type, id, region?, attributes }], provider?, generatedAt?, scannedTypes? } }
 *
 * `opts.declared` supplies the state when it was uploaded earlier. Matching is by (type, id), then
 * (type, arn). Only attributes the inventory reports are compared (an omitted attribute is not
 * drift); computed/volatile attributes are ignored by the diff engine.
 *
 * Scope: a declared resource is checked only when the inventory could have seen it — its
 * provider matches `inventory.provider` (if given), its type is in `scannedTypes` (if given), and
 * it is not from a local-only provider (null, random, tls…); others are `not_checked`.
 * Coverage is driftctl's: int(managed / (managed + unmanaged + missing) * 100) in float32.
 */
import type { Adapter, Json, Observation, RejectedItem, ResourceRef } from '../model/observation.js';
import { ScanFormatError } from '../model/scan-format.error.js';
import { diffResource } from '../diff/diff.engine.js';
import { blindAt, maskBody, maskedPointers } from '../diff/sensitive.mask.js';
import { compact, isRecord, requireArray, requireRecord, str } from './input.guards.js';
import { wrongFormat } from './format.sniff.js';
import { finishOutput } from './observation.post-process.js';
import { isProviderDefault, localProvider, matchType } from './inventory.defaults.js';
import { readStateDocument, type StateResource } from './tfstate.reader.js';

const F = 'tfstate';

interface InventoryItem {
  type: string;
  id: string;
  arn?: string;
  region?: string;
  attributes: Json;
}

export const tfstateAdapter: Adapter = (input, opts) => {
  if (!isRecord(input) || !('inventory' in input)) {
    throw wrongFormat(F, 'expected { state, inventory } (a cloud inventory to compare the state with)', input);
  }
  const rejected: RejectedItem[] = [];
  const state = input.state ?? opts.declared;
  if (state === undefined || state === null) {
    throw new ScanFormatError(
      'invalid_structure',
      F,
      '/state',
      'no declared state: send "state" or upload the state of this environment first',
    );
  }
  const declared = readStateDocument(state, F, input.state !== undefined ? '/state' : '', rejected);
  const inventory = readInventory(input.inventory, rejected);
  const provider = isRecord(input.inventory) ? str(input.inventory.provider) : undefined;
  const scanned =
    isRecord(input.inventory) && Array.isArray(input.inventory.scannedTypes)
      ? new Set(input.inventory.scannedTypes.filter((t): t is string => typeof t === 'string').map(matchType))
      : undefined;

  const byId = new Map<string, InventoryItem>();
  const byArn = new Map<string, InventoryItem>();
  for (const item of inventory) {
    const t = matchType(item.type);
    byId.set(`${t}\u0000${item.id}`, item);
    if (item.arn) byArn.set(`${t}\u0000${item.arn}`, item);
  }

  const observations: Observation[] = [];
  const matched = new Set<InventoryItem>();
  let managed = 0;
  let missing = 0;
  for (const d of declared) {
    const resource = refOf(d);
    const outOfScope = scopeProblem(d, provider, scanned);
    if (outOfScope) {
      observations.push({ kind: 'not_checked', resource, status: 'out_of_inventory_scope', reason: outOfScope });
      continue;
    }
    if (d.physicalId === undefined) {
      observations.push({
        kind: 'not_checked',
        resource,
        status: 'no_physical_id',
        reason: 'the state has no id or arn to find it in the inventory',
      });
      continue;
    }
    const t = matchType(d.type);
    const arn = isRecord(d.attributes) ? str(d.attributes.arn) : undefined;
    const item =
      byId.get(`${t}\u0000${d.physicalId}`) ??
      (arn ? (byArn.get(`${t}\u0000${arn}`) ?? byId.get(`${t}\u0000${arn}`)) : undefined);
    if (!item) {
      missing++;
      observations.push({ kind: 'deleted', resource, declared: maskBody(d.attributes, d.sensitivePaths) });
      continue;
    }
    managed++;
    matched.add(item);
    // Declared state kept at rest holds secrets masked: those values are unknown, not drift.
    const masked = maskedPointers(d.attributes);
    const sensitivePaths = masked.length > 0 ? [...d.sensitivePaths, ...masked] : d.sensitivePaths;
    const actual = blindAt(item.attributes, masked);
    const changes = diffResource(d.attributes, actual, {
      resourceType: d.type,
      profile: 'terraform',
      onlyShared: true,
      sensitivePaths,
      resource,
    });
    observations.push(
      changes.length > 0
        ? {
            kind: 'modified',
            resource,
            declared: maskBody(d.attributes, sensitivePaths),
            actual: maskBody(actual, sensitivePaths),
            changes,
          }
        : { kind: 'in_sync', resource },
    );
  }
  let unmanaged = 0;
  for (const item of inventory) {
    if (matched.has(item) || isProviderDefault(item.type, item.attributes)) continue;
    unmanaged++;
    observations.push({
      kind: 'added',
      resource: compact({ type: item.type, physicalId: item.id, provider }),
      actual: maskBody(item.attributes),
    });
  }
  const total = managed + unmanaged + missing;
  return finishOutput(
    {
      format: F,
      resourcesSeen: total,
      rejected,
      coverage: { managed, unmanaged, missing, percent: driftctlCoverage(managed, total) },
      scanner: { name: 'inventory' },
    },
    observations,
    opts,
  );
};

/** driftctl: int(float32(managed) / float32(total) * 100). */
export function driftctlCoverage(managed: number, total: number): number {
  if (total <= 0) return 0;
  return Math.trunc(Math.fround(Math.fround(managed / total) * 100));
}

function scopeProblem(d: StateResource, provider: string | undefined, scanned: Set<string> | undefined): string | undefined {
  if (localProvider(d.type, d.provider)) return `${d.type} has no cloud object to compare`;
  if (provider && !d.type.startsWith(`${provider}_`)) return `the inventory covers provider ${provider} only`;
  if (scanned && !scanned.has(matchType(d.type))) return `the inventory did not enumerate ${d.type}`;
  return undefined;
}

function refOf(d: StateResource): ResourceRef {
  return compact({
    address: d.address,
    type: d.type,
    name: d.name,
    module: d.module,
    index: d.index,
    provider: d.provider || undefined,
    physicalId: d.physicalId,
    tainted: d.tainted,
  });
}

function readInventory(v: unknown, rejected: RejectedItem[]): InventoryItem[] {
  const inv = requireRecord(v, F, '/inventory', 'inventory');
  const list = requireArray(inv.resources, F, '/inventory/resources', 'inventory.resources');
  const out: InventoryItem[] = [];
  list.forEach((r, i) => {
    const path = `/inventory/resources/${i}`;
    if (!isRecord(r)) return void rejected.push({ path, reason: 'inventory resource must be an object' });
    const type = str(r.type);
    const id = typeof r.id === 'number' ? String(r.id) : str(r.id);
    if (!type || !id) return void rejected.push({ path, reason: 'inventory resource needs "type" and "id"' });
    const attributes = (isRecord(r.attributes) ? r.attributes : {}) as Json;
    const arn = str(isRecord(r.attributes) ? r.attributes.arn : undefined) ?? str(r.arn);
    out.push(compact({ type, id, arn, region: str(r.region), attributes }));
  });
  return out;
}
