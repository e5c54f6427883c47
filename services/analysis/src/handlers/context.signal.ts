import { PermanentError, type HandlerMeta } from '@driftguard/bus';
import type { ContextKind, ContextSignalV1Data } from '@driftguard/contracts';
import type { Database } from '@driftguard/db';
import { storeContextSignal } from '../context/context-signals.queries.js';

interface ContextEnvelope {
  orgId: number;
  envId: number;
  data: ContextSignalV1Data;
}

/**
 * The body every `dg.context.<kind>.v1` handler shares: keeps the signal in context_signals in the
 * message's transaction, so it is stored exactly when the message is recorded as processed. A
 * signal whose body names another kind than its subject is refused: it would be matched wrongly.
 */
export function storeSignalOf(kind: ContextKind) {
  return async (event: ContextEnvelope, { tx, log }: Pick<HandlerMeta<Database>, 'tx' | 'log'>): Promise<void> => {
    if (event.data.kind !== kind) {
      throw new PermanentError(`a context.${kind} event carries a ${event.data.kind} signal`);
    }
    await storeContextSignal(tx, { orgId: event.orgId, envId: event.envId }, event.data);
    log.debug({ kind, source: event.data.externalSystem, sourceId: event.data.externalId }, 'context signal stored');
  };
}
