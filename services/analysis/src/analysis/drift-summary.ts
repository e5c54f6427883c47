import type { AnalyzedDriftSummary, DriftDetectedV1, EnvironmentSummary, IacTool, ScanFormat } from '@driftguard/contracts';

type Detected = DriftDetectedV1['data'];

const TOOL_OF_FORMAT: Record<ScanFormat, IacTool | null> = {
  'terraform-plan': 'terraform',
  tfstate: 'terraform',
  driftctl: 'terraform',
  cloudformation: 'cloudformation',
  kubernetes: 'kubernetes',
  native: null,
};

/**
 * The IaC tool that declares (or should declare) the resource: the scan's format says it, and a
 * native scan's resource type does (`AWS::EC2::Instance` CloudFormation, `apps/v1/Deployment`
 * Kubernetes, `aws_instance` Terraform).
 */
export function iacToolOf(format: ScanFormat | undefined, resourceType: string): IacTool | undefined {
  const byFormat = format ? TOOL_OF_FORMAT[format] : null;
  if (byFormat) return byFormat;
  if (/^[A-Za-z0-9]+::[A-Za-z0-9]+::/.test(resourceType)) return 'cloudformation';
  if (/^([a-z0-9.-]+\/)?v\d+[a-z0-9]*\/[A-Z]/.test(resourceType)) return 'kubernetes';
  if (/^[a-z0-9]+_[a-z0-9_]+$/.test(resourceType)) return 'terraform';
  return undefined;
}

/** What drifted, as drift.analyzed carries it: drift.detected's changes as they came (masked, claim checks kept). */
export function driftSummary(data: Detected, observedAt: Date, environment: EnvironmentSummary): AnalyzedDriftSummary {
  const iacTool = iacToolOf(data.scan?.format, data.resource.type);
  return {
    driftType: data.driftType,
    resource: data.resource,
    changedPaths: data.changes.map((c) => c.path),
    observedAt: observedAt.toISOString(),
    changes: data.changes,
    ...(data.changesTruncated ? { changesTruncated: data.changesTruncated } : {}),
    isSecurityCritical: data.isSecurityCritical,
    securityRuleIds: [...new Set(data.changes.flatMap((c) => c.securityRuleIds))],
    ...(iacTool ? { iacTool } : {}),
    ...(data.scan ? { scan: data.scan } : {}),
    ...(data.previousAddress ? { previousAddress: data.previousAddress } : {}),
    detectedAt: data.detectedAt,
    environment,
  };
}
