/**
 * Recognizes what a document is, to tell a sender who picked the wrong format what they sent
 * and what to send instead.
 */
import { ScanFormatError, type ScanFormat } from '../model/scan-format.error.js';
import { isRecord } from './input.guards.js';

export function describeDocument(v: unknown): { format?: ScanFormat; what: string } | undefined {
  if (Array.isArray(v)) {
    const first: unknown = v[0];
    if (isRecord(first) && 'StackResourceDriftStatus' in first)
      return { format: 'cloudformation', what: 'a list of CloudFormation StackResourceDrift objects' };
    return undefined;
  }
  if (!isRecord(v)) return undefined;
  if ('StackResourceDrifts' in v || 'StackResourceDrift' in v)
    return { format: 'cloudformation', what: 'a CloudFormation drift result' };
  if ('StackDriftDetectionId' in v || 'DetectionStatus' in v)
    return { what: 'a CloudFormation DescribeStackDriftDetectionStatus result (stack-level status only)' };
  if ('resource_drift' in v || 'resource_changes' in v || 'planned_values' in v)
    return { format: 'terraform-plan', what: 'a Terraform plan (terraform show -json)' };
  if (v.version === 4 && Array.isArray(v.resources)) return { format: 'tfstate', what: 'a Terraform state file (tfstate v4)' };
  if ('format_version' in v && 'values' in v) return { format: 'tfstate', what: 'a Terraform state (terraform show -json)' };
  if ('managed' in v && 'unmanaged' in v && 'missing' in v) return { format: 'driftctl', what: 'a driftctl scan JSON output' };
  if ('apiVersion' in v && 'kind' in v) return { format: 'kubernetes', what: 'a Kubernetes object' };
  if ('declared' in v && 'live' in v) return { format: 'kubernetes', what: 'a Kubernetes declared/live pair' };
  if ('observations' in v) return { format: 'native', what: 'a DriftGuard native scan' };
  return undefined;
}

/** A wrong_format error that names what is missing and, when recognizable, what the input is. */
export function wrongFormat(format: ScanFormat, missing: string, input: unknown, path = ''): ScanFormatError {
  const seen = describeDocument(input);
  let message = `not a ${format} scan: ${missing}`;
  if (seen && seen.format !== format) {
    message += `; the body looks like ${seen.what}`;
    if (seen.format) message += `, send it with format "${seen.format}"`;
  }
  return new ScanFormatError('wrong_format', format, path, message);
}
