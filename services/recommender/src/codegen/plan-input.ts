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
}
