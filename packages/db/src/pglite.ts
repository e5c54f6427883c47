import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import type { Database } from './schema/index.js';

const INT8_OID = 20;
const BYTEA_OID = 17;
const DATE_OID = 1082;

/**
 * PGlite result parsing aligned with node-pg as configured by createDb: int8 as a string (PGlite
 * would give a number and lose precision past 2^53), bytea as a Buffer, date as 'YYYY-MM-DD'.
 * numeric and interval are already text; timestamptz a Date.
 */
const parsers = {
  [INT8_OID]: (value: string) => value,
  [DATE_OID]: (value: string) => value,
  [BYTEA_OID]: (value: string) => Buffer.from(value.slice(2), 'hex'),
};

/**
 * A Kysely instance over embedded PGlite (PostgreSQL in WebAssembly), for `pnpm dg up` without
 * `DATABASE_URL` and for tests. `dataDir` persists to that directory; omitted, the database
 * lives in memory. PGlite has a single connection: the dialect serializes connections, so a
 * transaction blocks every other query until it ends (never wait inside one for another query
 * on the same db). `db.destroy()` closes PGlite.
 */
export async function createPgliteDb(dataDir?: string): Promise<Kysely<Database>> {
  const pglite = await PGlite.create({ ...(dataDir === undefined ? {} : { dataDir }), parsers });
  return new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
}
