import { readStateDocument } from '../adapters/tfstate.reader.js';
import type { RejectedItem as ScanRejectedItem } from '../model/observation.js';
import { ScanFormatError } from '../model/scan-format.error.js';
import { DeclaredFormatError } from './declared-format.error.js';
import {
  identityProblem,
  type DeclaredFormat,
  type DeclaredReadResult,
  type DeclaredResource,
  type RejectedItem,
} from './declared-resource.js';
import { isRecord } from './declared-text.js';
import { maskPaths } from './sensitive-mask.js';

export type TerraformStateFormat = Extract<DeclaredFormat, 'tfstate' | 'terraform-show-json'>;

/**
 * Reads Terraform declared state from a parsed tfstate v4 file or `terraform show -json` state
 * output (detected, or forced by `format`), with the tfstate adapter's reader. Every managed,
 * current resource instance becomes a resource: id = its address with module path and index
 * (`module.a.aws_s3_bucket.b["x"]`), type = the Terraform type, declared state = its attributes
 * with the values Terraform marks sensitive replaced by "(sensitive)". Data sources and deposed
 * objects are skipped. A plan is refused: read as a state it would declare nothing.
 */
export function readTerraformState(doc: unknown, format?: TerraformStateFormat): DeclaredReadResult {
  const detected = detectStateFormat(doc);
  if (format !== undefined && format !== detected) {
    throw new DeclaredFormatError('wrong_format', format, '', `expected ${format} but the document is ${detected}`);
  }
  const scanRejected: ScanRejectedItem[] = [];
  let instances;
  try {
    instances = readStateDocument(doc, 'tfstate', '', scanRejected);
  } catch (err) {
    if (!(err instanceof ScanFormatError)) throw err;
    throw new DeclaredFormatError(
      err.code === 'wrong_format' ? 'wrong_format' : 'invalid_structure',
      detected,
      err.path,
      err.message,
      { cause: err },
    );
  }

  const resources: DeclaredResource[] = [];
  const rejected: RejectedItem[] = scanRejected.map((r) => ({ path: r.path, reason: r.reason }));
  const seen = new Set<string>();
  for (const instance of instances) {
    const problem = identityProblem(instance.type, instance.address);
    if (problem !== null) {
      rejected.push({ path: instance.address, reason: problem });
      continue;
    }
    if (!isRecord(instance.attributes)) {
      rejected.push({ path: instance.address, reason: `${instance.address}: attributes must be an object` });
      continue;
    }
    if (seen.has(instance.address)) {
      rejected.push({ path: instance.address, reason: `${instance.address} appears twice; the first is kept` });
      continue;
    }
    seen.add(instance.address);
    resources.push({
      resourceType: instance.type,
      resourceId: instance.address,
      declaredState: maskPaths(instance.attributes, instance.sensitivePaths),
    });
  }
  return { resources, rejected };
}

/** Which of the two state shapes a parsed document is; throws wrong_format for anything else, a plan included. */
export function detectStateFormat(doc: unknown): TerraformStateFormat {
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
