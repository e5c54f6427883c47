import { sql, type Kysely } from 'kysely';

/**
 * `dg_context_signals_matching`: the ids of an organization's context signals in a time window,
 * of an environment or none, not of `except_kinds`, whose match keys share one of `keys`.
 *
 * Under row-level security PostgreSQL uses a query's condition inside an index only when its
 * operator is leakproof, and the array overlap `&&` is not: as dg_analysis, the resource half of
 * a drift's signal query read every signal of the organization in the window and filtered them
 * (3,400 buffers and 100 ms or more per drift with 100,000 stored signals). SECURITY DEFINER
 * (the tables' owner, which the policies do not restrict), it returns ids only, which the caller
 * reads back under its own policies. Where `dg.org_id` is set it must be `org`, so a tenant
 * scope cannot probe another organization's signals; where it is not (the embedded database,
 * whose one session serves every organization and no policy restricts), the ids pass the
 * caller's own query, which shows nothing of a tenant table outside a scope on PostgreSQL.
 * Callable by dg_analysis only (applyServiceGrants).
 *
 * The keys are rare names (an instance id, a declaring file), so the key index alone finds a
 * handful of signals over all time, filtered here without planning each call: asking the planner
 * per call cost more than the lookup (about 1 ms to plan, for a bitmap AND with the time index
 * that reads thousands of window entries to keep the same handful). A name that hundreds of
 * signals carry (the `*` of signals too large to index) would make that handful thousands:
 * past 500 candidates the query is planned for its arguments instead.
 */
const NAMED_BOUND = 500;

const matchingFunction = `CREATE FUNCTION dg_context_signals_matching(
    org integer, env integer, from_at timestamptz, to_at timestamptz, except_kinds text[], keys text[])
  RETURNS SETOF bigint
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
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

const fn = 'dg_context_signals_matching(integer, integer, timestamptz, timestamptz, text[], text[])';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(matchingFunction).execute(db);
  await sql.raw(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`DROP FUNCTION ${fn}`).execute(db);
}
