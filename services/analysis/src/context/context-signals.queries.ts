import type { ContextKind, ContextSignalV1Data } from '@driftguard/contracts';
import type { ContextSignal, Database } from '@driftguard/db';
import { sql, type Kysely } from 'kysely';
import { signalMatchKeys } from '../correlation/signal-match.js';

/** Where a signal belongs: the envelope's tenant scope. */
export interface SignalScope {
  orgId: number;
  envId: number;
}

/**
 * Keeps one context signal for correlation. The table is unique per (organization, source,
 * source id, kind): a signal sent twice (a retried webhook, a replayed event) is kept once, and
 * a later update of it (an incident resolved) replaces the stored body but keeps its start time.
 * Returns the stored row, or null when the signal was stored already exactly so (nothing new).
 */
export async function storeContextSignal(
  db: Kysely<Database>,
  scope: SignalScope,
  signal: ContextSignalV1Data,
): Promise<ContextSignal | null> {
  // The latest update's time: an incident's resolution, an alert's end.
  const data = {
    ...signal.data,
    ...(signal.summary !== undefined ? { summary: signal.summary } : {}),
    lastOccurredAt: signal.occurredAt,
  };
  const values = {
    environment_id: scope.envId,
    resource_refs: JSON.stringify(signal.resourceRefs),
    actor: signal.actor ?? null,
    data: JSON.stringify(data),
    match_keys: signalMatchKeys(signal.resourceRefs, data),
  };
  const row = await db
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
      oc
        .columns(['organization_id', 'external_system', 'external_id', 'context_type'])
        .doUpdateSet({
          ...values,
          // occurred_at stays the signal's start (incident triggered), whatever order updates arrive in.
          occurred_at: sql<Date>`least(context_signals.occurred_at, excluded.occurred_at)`,
        })
        .where((eb) =>
          eb.or([
            eb('context_signals.data', 'is distinct from', eb.ref('excluded.data')),
            eb('context_signals.resource_refs', 'is distinct from', eb.ref('excluded.resource_refs')),
            eb('context_signals.actor', 'is distinct from', eb.ref('excluded.actor')),
            eb('context_signals.occurred_at', '>', eb.ref('excluded.occurred_at')),
          ]),
        ),
    )
    .returningAll()
    .executeTakeFirst();
  return row ?? null;
}

/**
 * The signals of an environment (and the organization-wide ones without an environment) that
 * occurred in [from, to] and may concern a resource: those of the `everywhere` kinds (incidents,
 * alerts, … which concern the whole environment) and those whose match keys share one of `keys`
 * (the resource's names). The two halves use their own indexes; the caller decides the match.
 */
export async function signalsInWindow(
  db: Kysely<Database>,
  scope: SignalScope,
  window: { from: Date; to: Date },
  candidates: { everywhere: readonly ContextKind[]; keys: readonly string[] },
): Promise<ContextSignal[]> {
  // Every column but the match keys (hundreds of strings per signal, there only for the index):
  // reading them back would cost more than the rest of the row.
  const base = () =>
    db
      .selectFrom('context_signals')
      .select([
        'id',
        'organization_id',
        'environment_id',
        'context_type',
        'external_system',
        'external_id',
        'occurred_at',
        'resource_refs',
        'actor',
        'data',
        'received_at',
      ])
      .select(sql<string[]>`'{}'::text[]`.as('match_keys'))
      .where('organization_id', '=', scope.orgId)
      .where((eb) => eb.or([eb('environment_id', '=', scope.envId), eb('environment_id', 'is', null)]))
      .where('occurred_at', '>=', window.from)
      .where('occurred_at', '<=', window.to);
  const everywhere = [...candidates.everywhere];
  // The resource half finds its ids through dg_context_signals_matching (migration 0026): under
  // row-level security `match_keys && …` in this query could not use the GIN index, and read
  // every signal of the window instead. The ids found pass this query's own policies.
  const matching = sql<string>`ANY (ARRAY(SELECT dg_context_signals_matching(${scope.orgId}::int, ${scope.envId}::int,
    ${window.from}::timestamptz, ${window.to}::timestamptz, ${sql.val(everywhere)}::text[], ${sql.val([...candidates.keys])}::text[])))`;
  const rows = await base()
    .where('context_type', 'in', everywhere)
    .unionAll(base().where('context_type', 'not in', everywhere).where('id', '=', matching))
    .execute();
  return rows.sort((a, b) => a.occurred_at.getTime() - b.occurred_at.getTime());
}
