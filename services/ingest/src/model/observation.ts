/**
 * The normalized observation model every scan format is adapted to. The ingest service turns
 * observations into drift_events / drift_changes rows; nothing here touches a database.
 */
import type { ScanFormat } from './scan-format.error.js';

export { ScanFormatError, SCAN_FORMATS } from './scan-format.error.js';
export type { ScanFormat, ScanFormatErrorCode } from './scan-format.error.js';
export { parseScanBody } from './parse-scan-body.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface ResourceRef {
  address?: string;
  type: string;
  name?: string;
  physicalId?: string;
  provider?: string;
  module?: string;
  /** Kubernetes namespace. */
  namespace?: string;
  kind?: string;
  apiVersion?: string;
  /** Where the declaration came from, e.g. `tfstate://prod.tfstate` or a CloudFormation stack id. */
  source?: string;
  /** Terraform instance key (`count.index` number or `for_each` key). */
  index?: string | number;
  /** Terraform is importing this object in the same plan (noted, not drift by itself). */
  importing?: boolean;
  /** Terraform state marks the instance tainted / a deposed object. */
  tainted?: boolean;
  deposed?: string;
}

export interface PropertyChange {
  /** RFC 6901 JSON pointer into the resource's properties. */
  path: string;
  declared: Json | undefined;
  actual: Json | undefined;
  changeType: 'modified' | 'added' | 'removed';
  sensitive: boolean;
  /** sha256 hex of the canonical JSON of { declared, actual } before masking; only when sensitive. */
  valueHash?: string;
  securityRuleIds: string[];
}

export interface Attribution {
  managers?: { manager: string; operation?: string; time?: string; paths?: string[] }[];
}

/**
 * When the scanner observed the infrastructure (ISO 8601), as it states it: a plan's
 * `timestamp`, a CloudFormation resource drift's `Timestamp`, a native scan's `observedAt`. Not
 * when DriftGuard processed it; without one, the scan's submission time stands in.
 */
export interface ObservedAt {
  observedAt?: string;
}

export type Observation = (
  | {
      kind: 'modified';
      resource: ResourceRef;
      declared: Json;
      actual: Json;
      changes: PropertyChange[];
      attribution?: Attribution;
    }
  | { kind: 'deleted'; resource: ResourceRef; declared: Json | null }
  | { kind: 'added'; resource: ResourceRef; actual: Json | null }
  | {
      kind: 'moved';
      resource: ResourceRef;
      previousAddress: string;
      declared: Json | null;
      actual: Json | null;
      changes: PropertyChange[];
    }
  /** Seen and clean: resolves an open drift on it. */
  | { kind: 'in_sync'; resource: ResourceRef }
  /** Reported by the scanner but not compared; not drift. */
  | { kind: 'not_checked'; resource: ResourceRef; status: string; reason?: string }
) &
  ObservedAt;

export type ObservationKind = Observation['kind'];

export interface RejectedItem {
  /** JSON pointer into the input. */
  path: string;
  reason: string;
}

export interface AdapterOutput {
  format: ScanFormat;
  observations: Observation[];
  resourcesSeen: number;
  rejected: RejectedItem[];
  coverage?: { managed: number; unmanaged: number; missing: number; percent: number };
  alerts?: { resourceType: string; message: string }[];
  scanner?: { name: string; version?: string };
  /** When the scanner observed the infrastructure, for the whole scan (the latest, when it is per resource). */
  observedAt?: string;
  /** Observations dropped and changes removed by ignore rules (totals; per rule via the matcher). */
  suppressed?: { resources: number; changes: number };
}

/**
 * What adapters need from compiled ignore rules. Declared here, beside the ResourceRef it reads,
 * so the model depends on nothing in rules/ (rules/ignore.rules.ts implements it).
 */
export interface IgnoreMatcher {
  /** The whole resource is ignored (its observation is dropped and counted). */
  ignoresResource(ref: ResourceRef): boolean;
  /** One property of the resource is ignored (the change is dropped and counted). */
  ignoresPath(ref: ResourceRef, pointer: string): boolean;
  /** Suppressions so far per rule id (driftignore file lines are `driftignore:<line>`). */
  suppressedCounts(): Map<string | number, number>;
}

export interface AdapterOptions {
  ignore?: IgnoreMatcher;
  /** Declared state supplied separately (tfstate: a state document; kubernetes: manifests). */
  declared?: unknown;
}

/** Throws ScanFormatError for input that is not the format. */
export type Adapter = (input: unknown, opts: AdapterOptions) => AdapterOutput;
