import { sql, type Kysely } from 'kysely';

/**
 * `idx_context_signals_match_keys` (0011) without GIN's pending list. Every drift analysis probes
 * this index; with `fastupdate` on, new signals wait in an unsorted pending list that each probe
 * reads whole until vacuum merges it (3.4 ms instead of 0.2 ms per probe after 100,000 signals).
 * Signals are written one at a time, so updating the index directly costs little there.
 */
const up_ = [
  `ALTER INDEX idx_context_signals_match_keys SET (fastupdate = off)`,
  `SELECT gin_clean_pending_list('idx_context_signals_match_keys'::regclass)`,
];

const down_ = [`ALTER INDEX idx_context_signals_match_keys RESET (fastupdate)`];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of up_) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const s of down_) await sql.raw(s).execute(db);
}
