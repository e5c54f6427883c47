import type { EventHandler } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import { storeSignalOf } from './context.signal.js';

/** `dg.context.maintenance.v1.<org>.<env>`: keeps the signal for correlation with the environment's drifts. */
export const contextMaintenanceV1 = (): EventHandler<'context.maintenance.v1', Database> => storeSignalOf('maintenance');
