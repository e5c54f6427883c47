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

/** One drift's search: its organization and environment, the time range and its resource's match keys. */
export interface SignalSearch {
  orgId: number;
  envId: number;
  from: Date;
  to: Date;
  keys: readonly string[];
}

/**
 * For each search, the signals of its environment (and the organization-wide ones without an
 * environment) that occurred in [from, to] and may concern its resource: those of the
 * `everywhere` kinds (incidents, alerts, … which concern the whole environment) and those whose
 * match keys share one of its keys (the resource's names). The two halves use their own indexes;
 * the caller decides the match. One statement for all the searches, each signal read once
 * however many searches find it; each list is in time order.
 */
export async function signalsInWindows(
  db: Kysely<Database>,
  searches: readonly SignalSearch[],
  everywhere: readonly ContextKind[],
): Promise<ContextSignal[][]> {
  const found: ContextSignal[][] = searches.map(() => []);
  if (searches.length === 0) return found;
  const windows = JSON.stringify(
    searches.map((s, i) => ({ i, org: s.orgId, env: s.envId, f: s.from.toISOString(), t: s.to.toISOString(), keys: s.keys })),
  );
  const kinds = sql`${sql.val([...everywhere])}::text[]`;
  // The resource half finds its ids through dg_context_signals_matching (migration 0026): under
  // row-level security `match_keys && …` here could not use the GIN index, and would read every
  // signal of the window instead. The ids found pass this query's own policies. Every column but
  // the match keys is read back (hundreds of strings per signal, there only for the index).
  const { rows } = await sql<ContextSignal & { windows: number[] }>`
    WITH w AS (
      SELECT * FROM jsonb_to_recordset(${windows}::jsonb) AS w(i int, org int, env int, f timestamptz, t timestamptz, keys text[])
    ), hits AS (
      SELECT w.i, s.id FROM w JOIN context_signals s
        ON s.organization_id = w.org AND (s.environment_id = w.env OR s.environment_id IS NULL)
        AND s.context_type = ANY (${kinds}) AND s.occurred_at >= w.f AND s.occurred_at <= w.t
      UNION ALL
      SELECT w.i, m.id FROM w CROSS JOIN LATERAL dg_context_signals_matching(w.org, w.env, w.f, w.t, ${kinds}, w.keys) AS m(id)
    )
    SELECT s.id, s.organization_id, s.environment_id, s.context_type, s.external_system, s.external_id, s.occurred_at,
      s.resource_refs, s.actor, s.data, s.received_at, '{}'::text[] AS match_keys, h.windows
    FROM (SELECT id, array_agg(i) AS windows FROM hits GROUP BY id) h JOIN context_signals s ON s.id = h.id`.execute(db);
  for (const { windows: of, ...signal } of rows) for (const i of new Set(of)) found[i]!.push(signal);
  for (const list of found) list.sort((a, b) => a.occurred_at.getTime() - b.occurred_at.getTime());
  return found;
}
