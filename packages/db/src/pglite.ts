import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { GatedPgliteDialect } from './embedded/gated-dialect.js';
import { SessionGate } from './embedded/session-gate.js';
import { servePglite, type PgliteServer, type PgliteServerOptions } from './embedded/socket-server.js';
import type { Database } from './schema/index.js';

export type { PgliteServer, PgliteServerOptions } from './embedded/socket-server.js';

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

/** An embedded PGlite database: a Kysely handle on it, and a way to share it with other processes. */
export interface EmbeddedPostgres {
  db: Kysely<Database>;
  /**
   * Serves the database over the PostgreSQL wire protocol on a Unix socket (see servePglite):
   * node-pg, and so `createDb`, connect with {@link embeddedDatabaseUrl}. Close the server
   * before `db.destroy()`.
   */
  serve(opts: PgliteServerOptions): Promise<PgliteServer>;
}

/**
 * Opens PGlite (PostgreSQL in WebAssembly) for `pnpm dg up` without `DATABASE_URL` and for
 * tests. `dataDir` persists to that directory; omitted, the database lives in memory. PGlite has
 * a single session: each Kysely connection owns it until released, so a transaction blocks every
 * other query, in this process and from socket clients, until it ends (never wait inside one for
 * another query on the same db). `db.destroy()` closes PGlite.
 */
export async function openEmbeddedPostgres(dataDir?: string): Promise<EmbeddedPostgres> {
  const pglite = await PGlite.create({ ...(dataDir === undefined ? {} : { dataDir }), parsers });
  const gate = new SessionGate();
  return {
    db: new Kysely<Database>({ dialect: new GatedPgliteDialect(pglite, gate) }),
    serve: (opts) => servePglite(pglite, gate, opts),
  };
}

/** A Kysely instance over embedded PGlite; see {@link openEmbeddedPostgres}. */
export async function createPgliteDb(dataDir?: string): Promise<Kysely<Database>> {
  return (await openEmbeddedPostgres(dataDir)).db;
}

/**
 * The connection URL of an embedded database served on `<socketDir>/.s.PGSQL.5432` (the file
 * name node-pg and libpq derive from a socket directory and port 5432).
 */
export function embeddedDatabaseUrl(socketDir: string): string {
  return `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`;
}

/** The socket file {@link embeddedDatabaseUrl} connects to for `socketDir`. */
export const EMBEDDED_SOCKET_NAME = '.s.PGSQL.5432';
