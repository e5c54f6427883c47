import type { JsonValue } from '@driftguard/contracts';
import { escapePointerSegment, toPointer } from '../model/json-pointer.js';
import { DeclaredFormatError } from './declared-format.error.js';
import type { DeclaredFormat, RejectedItem } from './declared-resource.js';
import { isRecord } from './declared-text.js';

/** One managed resource instance of a Terraform state, before it becomes a DeclaredResource. */
export interface StateInstance {
  address: string;
  type: string;
  attributes: JsonValue;
  /** RFC 6901 pointers into `attributes` of values Terraform marks sensitive. */
  sensitivePaths: string[];
  /** pointer of the instance in the input */
  path: string;
}

/** Which of the two state shapes a parsed document is; throws wrong_format for anything else. */
export function detectStateFormat(doc: unknown): 'tfstate' | 'terraform-show-json' {
  if (!isRecord(doc)) throw new DeclaredFormatError('wrong_format', 'tfstate', '', 'Terraform state must be a JSON object');
  if (doc.planned_values !== undefined || doc.resource_changes !== undefined) {
    throw new DeclaredFormatError(
      'wrong_format',
      'terraform-show-json',
      '',
      'this is a plan (terraform show -json <planfile>); declared state is the state: upload terraform.tfstate or `terraform show -json` run without a plan file',
    );
  }
  if (doc.version !== undefined && Array.isArray(doc.resources)) return 'tfstate';
  if (doc.format_version !== undefined && (doc.values === undefined || isRecord(doc.values))) return 'terraform-show-json';
  throw new DeclaredFormatError(
    'wrong_format',
    'tfstate',
    '',
    'neither a tfstate file (version, resources) nor `terraform show -json` state output (format_version, values)',
  );
}

/**
 * Managed, current resource instances of a tfstate v4 file. Data sources and deposed objects
 * (being replaced) are skipped, not rejected.
 */
export function tfstateInstances(doc: Record<string, unknown>): { instances: StateInstance[]; rejected: RejectedItem[] } {
  if (doc.version !== 4) {
    throw new DeclaredFormatError(
      'wrong_format',
      'tfstate',
      '/version',
      `tfstate version ${JSON.stringify(doc.version)} is not supported; version 4 is written by Terraform 0.12 and later (or upload \`terraform show -json\`)`,
    );
  }
  const instances: StateInstance[] = [];
  const rejected: RejectedItem[] = [];
  (doc.resources as unknown[]).forEach((resource, r) => {
    const rPath = `/resources/${r}`;
    if (!isRecord(resource)) return rejected.push({ path: rPath, reason: 'a resource must be an object' });
    if (resource.mode === 'data') return;
    if (resource.mode !== 'managed') return rejected.push({ path: `${rPath}/mode`, reason: `unknown mode ${JSON.stringify(resource.mode)}` });
    const { type, name, module } = resource;
    if (typeof type !== 'string' || type === '' || typeof name !== 'string' || name === '') {
      return rejected.push({ path: rPath, reason: 'type and name must be non-empty strings' });
    }
    if (module !== undefined && typeof module !== 'string') return rejected.push({ path: `${rPath}/module`, reason: 'module must be a string' });
    if (!Array.isArray(resource.instances)) return rejected.push({ path: `${rPath}/instances`, reason: 'instances must be a list' });
    const base = `${module ? `${module}.` : ''}${type}.${name}`;
    resource.instances.forEach((instance: unknown, i) => {
      const path = `${rPath}/instances/${i}`;
      if (!isRecord(instance)) return rejected.push({ path, reason: 'an instance must be an object' });
      if (typeof instance.deposed === 'string' && instance.deposed !== '') return;
      const key = instance.index_key;
      if (key !== undefined && key !== null && typeof key !== 'number' && typeof key !== 'string') {
        return rejected.push({ path: `${path}/index_key`, reason: 'index_key must be a number or a string' });
      }
      if (instance.attributes === undefined && instance.attributes_flat !== undefined) {
        return rejected.push({ path, reason: 'only flat (Terraform 0.11) attributes; refresh the state with Terraform 0.12 or later' });
      }
      const attributes = (instance.attributes ?? {}) as JsonValue;
      instances.push({
        address: base + indexSuffix(key ?? undefined),
        type,
        attributes,
        sensitivePaths: ctyPathsToPointers(instance.sensitive_attributes),
        path,
      });
    });
  });
  return { instances, rejected };
}

/** Managed, current resource instances of `terraform show -json` state output (all modules). */
export function showJsonInstances(doc: Record<string, unknown>): { instances: StateInstance[]; rejected: RejectedItem[] } {
  const instances: StateInstance[] = [];
  const rejected: RejectedItem[] = [];
  const values = doc.values;
  if (values === undefined || values === null) return { instances, rejected }; // an empty state has no values
  const root = (values as Record<string, unknown>).root_module;
  if (root === undefined) return { instances, rejected };
  const walk = (module: unknown, path: string): void => {
    if (!isRecord(module)) return void rejected.push({ path, reason: 'a module must be an object' });
    const resources = module.resources ?? [];
    if (!Array.isArray(resources)) return void rejected.push({ path: `${path}/resources`, reason: 'resources must be a list' });
    resources.forEach((resource: unknown, r) => {
      const rPath = `${path}/resources/${r}`;
      if (!isRecord(resource)) return rejected.push({ path: rPath, reason: 'a resource must be an object' });
      if (resource.mode === 'data') return;
      if (typeof resource.deposed_key === 'string' && resource.deposed_key !== '') return;
      if (typeof resource.address !== 'string' || resource.address === '' || typeof resource.type !== 'string' || resource.type === '') {
        return rejected.push({ path: rPath, reason: 'address and type must be non-empty strings' });
      }
      instances.push({
        address: resource.address,
        type: resource.type,
        attributes: (resource.values ?? {}) as JsonValue,
        sensitivePaths: mirrorToPointers(resource.sensitive_values),
        path: rPath,
      });
    });
    const children = module.child_modules ?? [];
    if (!Array.isArray(children)) return void rejected.push({ path: `${path}/child_modules`, reason: 'child_modules must be a list' });
    children.forEach((child: unknown, c) => walk(child, `${path}/child_modules/${c}`));
  };
  walk(root, '/values/root_module');
  return { instances, rejected };
}

/** `[0]`, `["a"]`, or '' without a key: the instance part of a resource address. */
function indexSuffix(key: number | string | undefined): string {
  if (key === undefined) return '';
  return typeof key === 'number' ? `[${key}]` : `[${JSON.stringify(key)}]`;
}

/**
 * tfstate `sensitive_attributes` are cty paths: `[[{"type":"get_attr","value":"password"}, {"type":
 * "index","value":{"value":0,"type":"number"}}]]`. A set element (indexed by value) cannot be
 * pointed at, so the path stops at the set and masks all of it.
 */
export function ctyPathsToPointers(paths: unknown): string[] {
  if (!Array.isArray(paths)) return [];
  const pointers: string[] = [];
  for (const path of paths) {
    const steps: unknown[] = Array.isArray(path) ? path : [path];
    const segments: (string | number)[] = [];
    for (const step of steps) {
      if (!isRecord(step)) break;
      if (step.type === 'get_attr' && typeof step.value === 'string') segments.push(step.value);
      else if (step.type === 'index' && isRecord(step.value) && (typeof step.value.value === 'string' || typeof step.value.value === 'number')) {
        segments.push(step.value.value);
      } else break;
    }
    pointers.push(toPointer(segments));
  }
  return pointers;
}

/** `sensitive_values` mirrors the value with `true` at sensitive leaves. */
export function mirrorToPointers(mirror: unknown, prefix = ''): string[] {
  if (mirror === true) return [prefix];
  if (Array.isArray(mirror)) return mirror.flatMap((m, i) => mirrorToPointers(m, `${prefix}/${i}`));
  if (isRecord(mirror)) return Object.entries(mirror).flatMap(([k, m]) => mirrorToPointers(m, `${prefix}/${escapePointerSegment(k)}`));
  return [];
}

export type TerraformStateFormat = Extract<DeclaredFormat, 'tfstate' | 'terraform-show-json'>;
