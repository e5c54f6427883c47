/**
 * @driftguard/contracts: the schemas of every message and HTTP body DriftGuard exchanges,
 * subject builders and enums shared with the database. Depends on zod only, so a scanner can
 * import it.
 */
export * from './enums.js';
export * from './json.js';
export * from './json-hazards.js';
export * from './envelope.js';
export * from './events/resource.js';
export * from './events/scan.js';
export * from './events/claim-check.js';
export * from './events/drift.js';
export * from './events/recommendation.js';
export * from './policy/recommendation-policy.js';
export * from './events/context.js';
export * from './context-sources/index.js';
export * from './events/command.js';
export * from './routing.js';
export * from './catalog.js';
export * from './subjects.js';
export * from './events/native-scan.js';
export * from './http/index.js';
