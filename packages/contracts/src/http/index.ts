export * from './problem.js';
export * from './whoami.js';
export * from './scans.js';
export * from './declared.js';
export * from './context.js';
export * from './slack-actions.js';
export * from './identity.js';
export * from './audit.js';
