import type {
  CauseCategory,
  ChangeChannel,
  DataOf,
  DriftAttribution,
  DriftType,
  IacTool,
  IncidentState,
} from '@driftguard/contracts';
import type { DriftView } from '../drift-view.js';

type Analyzed = DataOf<'drift.analyzed.v1'>;
type PrincipalKind = NonNullable<DriftAttribution['principalKind']>;

/** What a policy rule can look at, derived once from the analysed drift. */
export interface PolicyFacts {
  cause: CauseCategory;
  causeConfidence: number;
  severity: number;
  securityCritical: boolean;
  securityRuleIds: string[];
  production: boolean;
  tier: string | null;
  resourceType: string;
  driftType: DriftType;
  iacTool: IacTool;
  changedPaths: string[];
  incident: IncidentState;
  changeWindow: boolean;
  principalKind: PrincipalKind | null;
  channel: ChangeChannel | null;
}

/**
 * Principals known to be autoscalers and controllers, for analyses that predate
 * `attribution.principalKind`.
 */
const CONTROLLER_PRINCIPALS = [
  /autoscaling\.amazonaws\.com/i,
  /AWSServiceRoleForAutoScaling/,
  /AWSServiceRoleForApplicationAutoScaling/,
  /^system:serviceaccount:kube-system:(horizontal-pod-autoscaler|cluster-autoscaler|karpenter)/,
  /^system:kube-controller-manager$/,
];

/**
 * Whether the drift happened during an incident or security event, and whether that is still
 * open. A correlated incident without a status (an older analysis) counts as open: nobody
 * reverts what may be a live mitigation on a guess.
 */
export function incidentStateOf(data: Analyzed): IncidentState {
  const incidents = (data.correlated ?? []).filter((c) => c.kind === 'incident' || c.kind === 'security_event');
  if (incidents.some((c) => c.status === 'open' || c.status === undefined)) return 'open';
  if (incidents.length > 0) return 'resolved';
  return data.temporal?.insideIncident ? 'open' : 'none';
}

/** Inside a maintenance window or a deployment, by the temporal context or an open correlated window. */
export function changeWindowOf(data: Analyzed): boolean {
  if (data.temporal && (data.temporal.insideMaintenance || data.temporal.insideDeployment)) return true;
  return (data.correlated ?? []).some((c) => (c.kind === 'maintenance' || c.kind === 'deployment') && c.status === 'open');
}

function principalKindOf(attribution: DriftAttribution | null | undefined): PrincipalKind | null {
  if (!attribution) return null;
  if (attribution.principalKind) return attribution.principalKind;
  return CONTROLLER_PRINCIPALS.some((re) => re.test(attribution.principal)) ? 'controller' : null;
}

function productionOf(data: Analyzed): boolean {
  const env = data.drift?.environment;
  if (env) return env.production;
  return data.riskAssessment['production'] === true;
}

/** The facts of an analysed drift; `view` supplies what an older analysis leaves out (tool, paths, rules). */
export function policyFacts(data: Analyzed, view: DriftView): PolicyFacts {
  return {
    cause: data.cause.category,
    causeConfidence: data.cause.confidence,
    severity: data.severityScore,
    securityCritical: view.isSecurityCritical,
    securityRuleIds: view.securityRuleIds,
    production: productionOf(data),
    tier: data.drift?.environment?.tier ?? null,
    resourceType: view.resource.type,
    driftType: view.driftType,
    iacTool: view.iacTool,
    changedPaths: view.changedPaths,
    incident: incidentStateOf(data),
    changeWindow: changeWindowOf(data),
    principalKind: principalKindOf(data.attribution),
    channel: data.attribution?.channel ?? null,
  };
}
