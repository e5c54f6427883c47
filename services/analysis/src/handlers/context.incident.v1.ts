import type { EventHandler } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import { storeSignalOf } from './context.signal.js';

/** `dg.context.incident.v1.<org>.<env>`: keeps the signal for correlation with the environment's drifts. */
export const contextIncidentV1 = (): EventHandler<'context.incident.v1', Database> => storeSignalOf('incident');
