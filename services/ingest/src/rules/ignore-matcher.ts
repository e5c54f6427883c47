/** What adapters need from compiled ignore rules; the interface lives with the observation model. */
export type { IgnoreMatcher } from '../model/observation.js';
