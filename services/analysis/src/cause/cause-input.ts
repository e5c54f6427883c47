import type { CauseCategory, DriftType } from '@driftguard/contracts';

/**
 * What cause analysis needs to know about one drift and the context correlated with it. The
 * correlation code fills it from drift.detected and the context.* signals it matched; every
 * list may be empty, and "nothing correlated" is itself evidence (see `unknown`).
 *
 * Times are ISO-8601 strings or Dates; minutes are measured from `detectedAt`'s change time
 * (`changedAt` when an audit trail dated the change, else `detectedAt`).
 */
export interface CauseInput {
  driftType: DriftType;
  /** When the drift was detected by a scan. */
  detectedAt: Date | string;
  /** When the change happened, if an audit event dated it (more precise than detection). */
  changedAt?: Date | string | null;
  /** IANA time zone of the team owning the environment, for hour / weekday / holiday. Default UTC. */
  timeZone?: string;
  /** Provider resource type as the scanner named it: `aws_security_group`, `AWS::EC2::Instance`, `apps/v1/Deployment`. */
  resourceType: string;
  /** JSON Pointers of the changed properties (`/instance_type`, `/ingress/0/cidr_blocks`, `/spec/replicas`). */
  changedPaths: string[];
  /** Ids of the security rules the change hit (drift_changes.security_rule_ids), and whether any is critical. */
  securityRules?: { ids: string[]; critical: boolean };
  /** Whether the value went back to one it held before (a change undone, or flapping). */
  revertedToEarlierValue?: boolean;
  /** Who made the change according to the audit trail; absent when no audit event matched. */
  actor?: CauseActor | null;
  incidents?: IncidentSignal[];
  alerts?: AlertSignal[];
  deployments?: DeploymentSignal[];
  maintenance?: MaintenanceSignal[];
  /** Commits to the repository around the change; `touchedDeclaringFile` when one changed the file declaring the resource. */
  commits?: CommitSignal[];
  /** Drifts of the same environment before this one, by the cause they were given (confirmed or predicted). */
  history?: Partial<Record<CauseCategory, number>>;
}

/** The principal of an audit event (CloudTrail userIdentity, Kubernetes audit user, …). */
export interface CauseActor {
  /** ARN, user name, service principal (`autoscaling.amazonaws.com`) or Kubernetes user (`system:serviceaccount:kube-system:…`). */
  principal: string;
  /** CloudTrail `userAgent` / Kubernetes `userAgent`; it tells console, CLI, SDK, Terraform and controllers apart. */
  userAgent?: string | null;
  /** `invokedBy` / source service when the platform says a service acted. */
  invokedBy?: string | null;
  /** The principal is one of the environment's configured IaC pipeline principals. */
  isIacPipeline?: boolean;
}

interface Signal {
  /** Start of the signal (incident opened, alert fired, deployment started, window opened). */
  startedAt: Date | string;
  /** End (resolved, finished, window closed); null while still open. */
  endedAt?: Date | string | null;
}

/** An incident from the incident tool; severity 1 is the worst. */
export interface IncidentSignal extends Signal {
  severity: 1 | 2 | 3 | 4 | 5;
  /** A security incident (the incident tool's type, or a security team's service). */
  security?: boolean;
}

/** A firing alert; `category` is how the alert source classed it. */
export interface AlertSignal extends Signal {
  category: 'load' | 'error' | 'latency' | 'security' | 'availability' | 'other';
}

export interface DeploymentSignal extends Signal {
  succeeded?: boolean;
}

export type MaintenanceSignal = Signal;

export interface CommitSignal {
  committedAt: Date | string;
  touchedDeclaringFile: boolean;
}
