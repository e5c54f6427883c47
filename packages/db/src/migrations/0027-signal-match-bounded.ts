import { sql, type Kysely } from 'kysely';
import { matchingFunction } from './0026-signal-match-function.js';

/**
 * `dg_context_signals_matching` (migration 0026) without planning each call, and with the row
 * count the planner should expect of it.
 *
 * The keys are rare names (an instance id, a declaring file), so the key index alone finds a
 * handful of signals over all time, filtered here without planning each call: asking the planner
 * per call cost more than the lookup (about 1 ms to plan, for a bitmap AND with the time index
 * that reads thousands of window entries to keep the same handful). A name that hundreds of
 * signals carry (the `*` of signals too large to index) would make that handful thousands:
 * past 500 candidates the query is planned for its arguments instead.
 *
 * `ROWS 5` says so to the planner: with the default of 1,000 per call, a query calling it for a
 * batch of drifts and joining the ids back to context_signals read the whole table instead of
 * its primary key (200 ms a batch with 100,000 stored signals).
 */
const NAMED_BOUND = 500;

const signature = `dg_context_signals_matching(
    org integer, env integer, from_at timestamptz, to_at timestamptz, except_kinds text[], keys text[])`;

const bounded = `CREATE OR REPLACE FUNCTION ${signature}
  RETURNS SETOF bigint
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 5
  AS $fn$
DECLARE
  found bigint[];
  named integer;
BEGIN
  IF org <> coalesce(dg_current_org(), org) THEN RETURN; END IF;
  SELECT array_agg(c.id) FILTER (WHERE c.organization_id = org AND (c.environment_id = env OR c.environment_id IS NULL)
           AND c.occurred_at >= from_at AND c.occurred_at <= to_at AND NOT (c.context_type = ANY (except_kinds))),
         count(*)
    INTO found, named
    FROM (SELECT s.id, s.organization_id, s.environment_id, s.occurred_at, s.context_type
            FROM context_signals s WHERE s.match_keys && keys LIMIT ${NAMED_BOUND + 1}) c;
  IF named <= ${NAMED_BOUND} THEN
    RETURN QUERY SELECT unnest(coalesce(found, '{}'));
    RETURN;
  END IF;
  RETURN QUERY EXECUTE
    'SELECT s.id FROM context_signals s WHERE s.match_keys && $6 AND s.organization_id = $1
       AND (s.environment_id = $2 OR s.environment_id IS NULL) AND s.occurred_at >= $3 AND s.occurred_at <= $4
       AND NOT (s.context_type = ANY ($5))'
    USING org, env, from_at, to_at, except_kinds, keys;
END
$fn$`;

// CREATE OR REPLACE keeps the function's grants (EXECUTE for dg_analysis only).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(bounded).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Migration 0026's body, planned per call.
  await sql.raw(matchingFunction.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION')).execute(db);
}
