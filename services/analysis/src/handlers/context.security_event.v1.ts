import type { EventHandler } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import { storeSignalOf } from './context.signal.js';

/** `dg.context.security_event.v1.<org>.<env>`: keeps the signal for correlation with the environment's drifts. */
export const contextSecurityEventV1 = (): EventHandler<'context.security_event.v1', Database> => storeSignalOf('security_event');
