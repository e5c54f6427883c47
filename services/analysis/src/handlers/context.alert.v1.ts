import type { EventHandler } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import { storeSignalOf } from './context.signal.js';

/** `dg.context.alert.v1.<org>.<env>`: keeps the signal for correlation with the environment's drifts. */
export const contextAlertV1 = (): EventHandler<'context.alert.v1', Database> => storeSignalOf('alert');
