import { z } from 'zod';
import { ContextSource } from '../context-sources/index.js';
import { EnvironmentRef } from './scans.js';

/** Path of `POST /v1/context/:source`. */
export const ContextSourceParams = z.object({ source: ContextSource });

/** Query of `POST /v1/context/:source`. */
export const ContextIntakeQuery = z.object({
  /** For an organization-wide token; an environment-bound token may only name its own. */
  env: EnvironmentRef.optional(),
  /** A signed delivery (GitHub, PagerDuty) names its integration instead of sending a token. */
  integration: z.uuid().optional(),
});
export type ContextIntakeQuery = z.infer<typeof ContextIntakeQuery>;

/** `202` answer of `POST /v1/context/:source`. */
export const ContextAccepted = z.object({
  status: z.literal('accepted'),
  source: ContextSource,
  /** Signals published now (one event each). */
  published: z.number().int().nonnegative(),
  /** Signals already published earlier (same source id): not published again. */
  duplicates: z.number().int().nonnegative(),
  /** Envelope ids of the signals, in payload order (duplicates included). */
  eventIds: z.array(z.string()),
  /** Why nothing was published for a delivery that carries no signal (a GitHub ping, …). */
  ignored: z.string().optional(),
});
export type ContextAccepted = z.infer<typeof ContextAccepted>;
