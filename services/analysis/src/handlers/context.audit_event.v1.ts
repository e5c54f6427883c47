import type { EventHandler } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import type { AnalyzeDeps } from '../analysis/drift.analyze.js';
import { storeSignalOf } from './context.signal.js';

/** `dg.context.audit_event.v1.<org>.<env>`: keeps the signal for correlation with the environment's drifts; with `deps`, re-analyzes recently analyzed drifts it concerns. */
export const contextAuditEventV1 = (deps?: AnalyzeDeps): EventHandler<'context.audit_event.v1', Database> =>
  storeSignalOf('audit_event', deps);
