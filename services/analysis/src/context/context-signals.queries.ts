import type { ContextKind, ContextSignalV1Data } from '@driftguard/contracts';
import type { ContextSignal, Database } from '@driftguard/db';
import { sql, type Kysely } from 'kysely';

/** Where a signal belongs: the envelope's tenant scope. */
export interface SignalScope {
  orgId: number;
  envId: number;
}

/**
 * Keeps one context signal for correlation. The table is unique per (organization, source,
 * source id, kind): a signal sent twice (a retried webhook, a replayed event) is kept once, and
 * a later update of it (an incident resolved) replaces the stored body but keeps its start time.
 */
export async function storeContextSignal(db: Kysely<Database>, scope: SignalScope, signal: ContextSignalV1Data): Promise<void> {
  const values = {
    environment_id: scope.envId,
    resource_refs: JSON.stringify(signal.resourceRefs),
    actor: signal.actor ?? null,
    // The latest update's time: an incident's resolution, an alert's end.
    data: JSON.stringify({
      ...signal.data,
      ...(signal.summary !== undefined ? { summary: signal.summary } : {}),
      lastOccurredAt: signal.occurredAt,
    }),
  };
  await db
    .insertInto('context_signals')
    .values({
      organization_id: scope.orgId,
      context_type: signal.kind,
      external_system: signal.externalSystem,
      external_id: signal.externalId,
      occurred_at: new Date(signal.occurredAt),
      ...values,
    })
    .onConflict((oc) =>
      oc.columns(['organization_id', 'external_system', 'external_id', 'context_type']).doUpdateSet({
        ...values,
        // occurred_at stays the signal's start (incident triggered), whatever order updates arrive in.
        occurred_at: sql<Date>`least(context_signals.occurred_at, excluded.occurred_at)`,
      }),
    )
    .execute();
}

/**
 * The signals of an environment (and the organization-wide ones without an environment) that
 * occurred in [from, to], oldest first.
 */
export async function signalsInWindow(
  db: Kysely<Database>,
  scope: SignalScope,
  window: { from: Date; to: Date },
  kinds?: readonly ContextKind[],
): Promise<ContextSignal[]> {
  let q = db
    .selectFrom('context_signals')
    .selectAll()
    .where('organization_id', '=', scope.orgId)
    .where((eb) => eb.or([eb('environment_id', '=', scope.envId), eb('environment_id', 'is', null)]))
    .where('occurred_at', '>=', window.from)
    .where('occurred_at', '<=', window.to);
  if (kinds) q = q.where('context_type', 'in', kinds);
  return q.orderBy('occurred_at').execute();
}
