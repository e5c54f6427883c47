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
 * Planned for each call's own arguments (`force_custom_plan`): the keys' GIN index alone when
 * the names are rare, ANDed with the time index when a resource has many signals; a plan made
 * without the values would pick one of the two for every call.
 */
/** The function as this migration creates it (0027's `down` restores it). */
export const matchingFunction = `CREATE FUNCTION dg_context_signals_matching(
    org integer, env integer, from_at timestamptz, to_at timestamptz, except_kinds text[], keys text[])
  RETURNS SETOF bigint
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan
  AS $fn$
BEGIN
  RETURN QUERY SELECT s.id FROM context_signals s
    WHERE s.match_keys && keys
      AND s.organization_id = org AND org = coalesce(dg_current_org(), org)
      AND (s.environment_id = env OR s.environment_id IS NULL)
      AND s.occurred_at >= from_at AND s.occurred_at <= to_at
      AND NOT (s.context_type = ANY (except_kinds));
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
