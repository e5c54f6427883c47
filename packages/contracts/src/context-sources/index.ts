import { z } from 'zod';

/**
 * Where context comes from: `POST /v1/context/<source>` on ingest takes each payload exactly as
 * the source sends it (one schema file per source in this folder).
 */
export const ContextSource = z.enum([
  'github',
  'pagerduty',
  'alertmanager',
  'cloudtrail',
  'kubernetes-audit',
  'deployment',
  'maintenance',
  'incident',
]);
export type ContextSource = z.infer<typeof ContextSource>;

/** Sources that cannot send a bearer token and sign their deliveries with a shared secret instead. */
export const SignedContextSource = z.enum(['github', 'pagerduty']);
export type SignedContextSource = z.infer<typeof SignedContextSource>;

/**
 * What an `integrations` row is for: a signed context source, or `slack`, whose interactive
 * messages (button presses, `POST /v1/interactions/slack`) are signed with the Slack app's signing secret.
 */
export const IntegrationSource = z.enum([...SignedContextSource.options, 'slack']);
export type IntegrationSource = z.infer<typeof IntegrationSource>;

export * from './github.js';
export * from './pagerduty.js';
export * from './alertmanager.js';
export * from './cloudtrail.js';
export * from './kubernetes-audit.js';
export * from './generic.js';
