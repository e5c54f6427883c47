import type { ResourceRef } from '../model/observation.js';

/** What adapters need from compiled ignore rules. */
export interface IgnoreMatcher {
  /** The whole resource is ignored (its observation is dropped and counted). */
  ignoresResource(ref: ResourceRef): boolean;
  /** One property of the resource is ignored (the change is dropped and counted). */
  ignoresPath(ref: ResourceRef, pointer: string): boolean;
  /** Suppressions so far per rule id (driftignore file lines are `driftignore:<line>`). */
  suppressedCounts(): Map<string | number, number>;
}
