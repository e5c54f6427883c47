import type { EventHandler } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import { storeSignalOf } from './context.signal.js';

/** `dg.context.deployment.v1.<org>.<env>`: keeps the signal for correlation with the environment's drifts. */
export const contextDeploymentV1 = (): EventHandler<'context.deployment.v1', Database> => storeSignalOf('deployment');
