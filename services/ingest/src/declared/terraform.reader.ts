import type { JsonValue } from '@driftguard/contracts';
import { DeclaredFormatError } from './declared-format.error.js';
import { identityProblem, type DeclaredReadResult, type DeclaredResource, type RejectedItem } from './declared-resource.js';
import { isRecord } from './declared-text.js';
import { maskPaths } from './sensitive-mask.js';
import { detectStateFormat, showJsonInstances, tfstateInstances, type TerraformStateFormat } from './terraform-state.document.js';

/**
 * Reads Terraform declared state from a parsed tfstate v4 file or `terraform show -json` state
 * output (detected, or forced by `format`). Every managed, current resource instance becomes a
 * resource: id = its address with module path and index (`module.a.aws_s3_bucket.b["x"]`), type =
 * the Terraform type, declared state = its attributes with the values Terraform marks sensitive
 * replaced by "(sensitive)". Data sources and deposed objects are skipped.
 */
export function readTerraformState(doc: unknown, format?: TerraformStateFormat): DeclaredReadResult {
  const detected = detectStateFormat(doc);
  if (format !== undefined && format !== detected) {
    throw new DeclaredFormatError('wrong_format', format, '', `expected ${format} but the document is ${detected}`);
  }
  const { instances, rejected } =
    detected === 'tfstate' ? tfstateInstances(doc as Record<string, unknown>) : showJsonInstances(doc as Record<string, unknown>);

  const resources: DeclaredResource[] = [];
  const out: RejectedItem[] = [...rejected];
  const seen = new Map<string, string>();
  for (const instance of instances) {
    const problem = identityProblem(instance.type, instance.address);
    if (problem !== null) {
      out.push({ path: instance.path, reason: problem });
      continue;
    }
    if (!isRecord(instance.attributes)) {
      out.push({ path: instance.path, reason: `${instance.address}: attributes must be an object` });
      continue;
    }
    const first = seen.get(instance.address);
    if (first !== undefined) {
      out.push({ path: instance.path, reason: `${instance.address} appears twice (first at ${first})` });
      continue;
    }
    seen.set(instance.address, instance.path);
    resources.push({
      resourceType: instance.type,
      resourceId: instance.address,
      declaredState: maskPaths(instance.attributes as JsonValue, instance.sensitivePaths),
    });
  }
  return { resources, rejected: out };
}
