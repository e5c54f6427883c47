import type {
  ChangesTruncated,
  DataOf,
  DetectedDriftChange,
  DriftType,
  IacTool,
  ResourceIdentity,
  ScanFormat,
} from '@driftguard/contracts';

type Analyzed = DataOf<'drift.analyzed.v1'>;

/**
 * The drift as the recommender works with it: what drift.analyzed's summary carries, completed
 * from the stored drift when an older analysis left the summary out.
 */
export interface DriftView {
  driftEventId: number;
  driftType: DriftType;
  resource: ResourceIdentity;
  iacTool: IacTool;
  changes: DetectedDriftChange[];
  changedPaths: string[];
  changesTruncated?: ChangesTruncated;
  isSecurityCritical: boolean;
  securityRuleIds: string[];
  previousAddress?: string;
  observedAt?: string;
}

/** The stored drift, for analyses that carry no summary (read-only, ingest's rows). */
export interface StoredDrift {
  driftType: DriftType;
  resource: ResourceIdentity;
  changes: DetectedDriftChange[];
  observedAt?: string;
}

const KUBERNETES_TYPE = /^([a-z0-9.-]+\/)?v[0-9][a-z0-9]*\/[A-Z][A-Za-z0-9]*$/;

/** The IaC tool of a resource when the analysis does not say: by scan format, else by the shape of its type. */
export function inferTool(type: string, format?: ScanFormat): IacTool {
  if (format === 'cloudformation') return 'cloudformation';
  if (format === 'kubernetes') return 'kubernetes';
  if (/^[A-Z][A-Za-z0-9]*::/.test(type)) return 'cloudformation';
  if (KUBERNETES_TYPE.test(type)) return 'kubernetes';
  return 'terraform';
}

const uniq = (xs: string[]) => [...new Set(xs)];

/** The view of an analysed drift: its summary, else the stored drift; null when neither is there. */
export function driftViewOf(data: Analyzed, stored: StoredDrift | null): DriftView | null {
  const s = data.drift;
  const changes = s?.changes ?? stored?.changes ?? [];
  const base = s ?? stored;
  if (!base) return null;
  const resource = base.resource;
  const rules = s?.securityRuleIds ?? uniq(changes.flatMap((c) => c.securityRuleIds));
  return {
    driftEventId: data.driftEventId,
    driftType: base.driftType,
    resource,
    iacTool: s?.iacTool ?? inferTool(resource.type, s?.scan?.format),
    changes,
    changedPaths: s?.changedPaths ?? changes.map((c) => c.path),
    ...(s?.changesTruncated ? { changesTruncated: s.changesTruncated } : {}),
    isSecurityCritical: s?.isSecurityCritical ?? rules.length > 0,
    securityRuleIds: rules,
    ...(s?.previousAddress ? { previousAddress: s.previousAddress } : {}),
    ...(base.observedAt ? { observedAt: base.observedAt } : {}),
  };
}
