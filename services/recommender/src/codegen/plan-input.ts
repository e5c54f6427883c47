import type { ChangeType, DriftType, IacTool, JsonValue, ResourceIdentity } from '@driftguard/contracts';

/** A change with its values as whole as they can be: claim-checked values fetched, or named in `unresolved`. */
export interface ResolvedChange {
  path: string;
  declared?: JsonValue;
  actual?: JsonValue;
  changeType: ChangeType;
  sensitive: boolean;
  securityRuleIds: string[];
  /** sides whose value was too large for the event and could not be fetched: referred to, never inlined */
  unresolved?: ('declared' | 'actual')[];
}

/** The file of a repository synced from git that declares the resource (ingest's iac_source_files). */
export interface DeclaringSource {
  /** relative to the repository root */
  path: string;
  commit: string;
  /** its text, secrets masked; null when it was over the size bound */
  text: string | null;
}

/** Everything the step generators need about one drift. */
export interface PlanInput {
  tool: IacTool;
  driftType: DriftType;
  resource: ResourceIdentity;
  changes: ResolvedChange[];
  /** changes of the drift the event did not carry (`changesTruncated`) */
  omittedChanges: number;
  /** the declared configuration (iac_resources.declared_state, secrets masked), when found */
  declared: JsonValue | null;
  /** the live body of an unmanaged (added) resource, secrets masked, when known */
  live: JsonValue | null;
  previousAddress?: string;
  /** the declaring file, when the repository is synced from git and one file declares the resource */
  source?: DeclaringSource;
  /** the files declaring it when several do (no diff is made then) */
  sourceCandidates?: string[];
}
