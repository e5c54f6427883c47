/**
 * Declared resources from a Terraform state: a tfstate v4 file or the `values` of
 * `terraform show -json` (also the prior_state of a plan). Data sources are skipped; tainted
 * instances are noted; deposed objects (waiting to be destroyed) are not declared resources.
 */
import type { Json, RejectedItem } from '../model/observation.js';
import { ScanFormatError, type ScanFormat } from '../model/scan-format.error.js';
import { isRecord, str, type JsonRecord } from './input.guards.js';
import { wrongFormat } from './format.sniff.js';
import { indexSuffix, mirrorPointers, physicalIdOf, providerName, sensitiveAttributePointers } from './terraform-values.js';

/**
 * One resource instance of a Terraform state as the tfstate adapter compares it (address parts,
 * provider, physical id, sensitive pointers). Not the stored declared resource of
 * declared/declared-resource.ts, which is what `iac_resources` keeps.
 */
export interface StateResource {
  address: string;
  type: string;
  name: string;
  module?: string;
  index?: string | number;
  provider: string;
  physicalId?: string;
  attributes: Json;
  /** JSON pointers (into attributes) of sensitive values. */
  sensitivePaths: string[];
  tainted?: boolean;
}

/** Reads a state document; throws ScanFormatError when it is not one. */
export function readDeclaredState(doc: unknown): StateResource[] {
  return readStateDocument(doc, 'tfstate', '', []);
}

export function readStateDocument(doc: unknown, format: ScanFormat, base: string, rejected: RejectedItem[]): StateResource[] {
  if (!isRecord(doc))
    throw wrongFormat(format, `${base || 'the state'} must be a tfstate v4 or terraform show -json state object`, doc, base);
  if (Array.isArray(doc.resources) && typeof doc.version === 'number') {
    if (doc.version !== 4) {
      throw new ScanFormatError(
        'wrong_format',
        format,
        `${base}/version`,
        `tfstate version ${doc.version} is not supported (Terraform ≥ 0.12 writes version 4)`,
      );
    }
    return readV4(doc.resources, base, rejected);
  }
  if (isRecord(doc.values) || 'format_version' in doc) {
    const root = isRecord(doc.values) ? doc.values.root_module : undefined;
    return root === undefined ? [] : readShowJsonModules(root, `${base}/values/root_module`, rejected);
  }
  throw wrongFormat(
    format,
    `${base || 'the state'} has neither "resources" with "version": 4 (tfstate) nor "values" (terraform show -json)`,
    doc,
    base,
  );
}

function readV4(resources: unknown[], base: string, rejected: RejectedItem[]): StateResource[] {
  const out: StateResource[] = [];
  resources.forEach((r, i) => {
    const path = `${base}/resources/${i}`;
    if (!isRecord(r)) return rejected.push({ path, reason: 'resource must be an object' });
    if (r.mode === 'data') return;
    const type = str(r.type);
    const name = str(r.name);
    if (!type || !name) return rejected.push({ path, reason: 'resource has no type or name' });
    if (!Array.isArray(r.instances)) return rejected.push({ path: `${path}/instances`, reason: 'instances must be an array' });
    const module = str(r.module);
    const provider = providerName(r.provider) ?? '';
    r.instances.forEach((inst, j) => {
      const ipath = `${path}/instances/${j}`;
      if (!isRecord(inst)) return rejected.push({ path: ipath, reason: 'instance must be an object' });
      if (inst.deposed !== undefined) return; // a deposed object is on its way out
      if (!isRecord(inst.attributes)) {
        const why =
          inst.attributes_flat !== undefined
            ? 'only attributes_flat (pre-0.12 flatmap) is present'
            : 'instance has no attributes object';
        return rejected.push({ path: ipath, reason: why });
      }
      const index = typeof inst.index_key === 'string' || typeof inst.index_key === 'number' ? inst.index_key : undefined;
      const attributes = inst.attributes as Json;
      out.push(
        declared({
          address: `${module ? module + '.' : ''}${type}.${name}${indexSuffix(index)}`,
          type,
          name,
          module,
          index,
          provider,
          physicalId: physicalIdOf(attributes),
          attributes,
          sensitivePaths: sensitiveAttributePointers(inst.sensitive_attributes),
          tainted: inst.status === 'tainted' ? true : undefined,
        }),
      );
    });
  });
  return out;
}

/** Walks root_module and child_modules (iteratively: module nesting is input-controlled). */
export function readShowJsonModules(root: unknown, rootPath: string, rejected: RejectedItem[]): StateResource[] {
  const out: StateResource[] = [];
  const stack: { module: unknown; path: string }[] = [{ module: root, path: rootPath }];
  while (stack.length > 0) {
    const { module, path } = stack.pop()!;
    if (!isRecord(module)) {
      rejected.push({ path, reason: 'module must be an object' });
      continue;
    }
    const moduleAddress = str(module.address);
    if (Array.isArray(module.resources))
      module.resources.forEach((r, i) => readShowJsonResource(r, `${path}/resources/${i}`, moduleAddress, out, rejected));
    if (Array.isArray(module.child_modules)) {
      module.child_modules.forEach((m, i) => stack.push({ module: m, path: `${path}/child_modules/${i}` }));
    }
  }
  return out;
}

function readShowJsonResource(
  r: unknown,
  path: string,
  moduleAddress: string | undefined,
  out: StateResource[],
  rejected: RejectedItem[],
): void {
  if (!isRecord(r)) return void rejected.push({ path, reason: 'resource must be an object' });
  if (r.mode === 'data') return;
  const type = str(r.type);
  const address = str(r.address);
  if (!type || !address) return void rejected.push({ path, reason: 'resource has no type or address' });
  if (r.deposed_key !== undefined) return;
  const values = (r.values ?? null) as Json;
  const index = typeof r.index === 'string' || typeof r.index === 'number' ? r.index : undefined;
  out.push(
    declared({
      address,
      type,
      name: str(r.name) ?? type,
      module: moduleAddress ?? moduleOf(address, type),
      index,
      provider: str(r.provider_name) ?? '',
      physicalId: physicalIdOf(values),
      attributes: values,
      sensitivePaths: mirrorPointers(r.sensitive_values),
      tainted: r.tainted === true ? true : undefined,
    }),
  );
}

function moduleOf(address: string, type: string): string | undefined {
  const at = address.indexOf(`${type}.`);
  return at > 1 ? address.slice(0, at - 1) : undefined;
}

function declared(
  d: StateResource & { module: string | undefined; index: string | number | undefined; tainted: boolean | undefined },
): StateResource {
  const out: StateResource = {
    address: d.address,
    type: d.type,
    name: d.name,
    provider: d.provider,
    attributes: d.attributes,
    sensitivePaths: d.sensitivePaths,
  };
  if (d.module) out.module = d.module;
  if (d.index !== undefined) out.index = d.index;
  if (d.physicalId) out.physicalId = d.physicalId;
  if (d.tainted) out.tainted = true;
  return out;
}

export type { JsonRecord };
