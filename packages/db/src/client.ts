import { CompiledQuery, Kysely, PostgresDialect, type DatabaseConnection, type LogConfig } from 'kysely';
import pg from 'pg';
import type { Database } from './schema/index.js';
import { currentOrg } from './tenant-context.js';

/** PostgreSQL type oids whose node-pg parsing DriftGuard overrides. */
const DATE_OID = 1082;
const INTERVAL_OID = 1186;

/**
 * node-pg type parsing, scoped to DriftGuard's pools (the global `pg.types` is left alone).
 * Defaults kept: int8 and numeric as strings, timestamptz as Date, jsonb parsed, bytea Buffer.
 * Changed: `date` stays 'YYYY-MM-DD' (node-pg would build a Date at local midnight) and
 * `interval` stays PostgreSQL text (node-pg would build an object), matching PGlite.
 */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (format !== 'binary' && (oid === DATE_OID || oid === INTERVAL_OID)) return (value: string) => value;
    // pg-types declares its parsers as `any`; each takes the column's text and returns its value.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
    const parse: (value: string) => unknown = pg.types.getTypeParser(oid, format === 'binary' ? 'binary' : 'text');
    return parse;
  },
};

/** Options of {@link createDb}. */
export interface CreateDbOptions {
  /** Pool size (default 10). */
  max?: number;
  /** Shown in pg_stat_activity (default 'driftguard'). */
  applicationName?: string;
  /** Per-statement timeout in milliseconds (default none). */
  statementTimeoutMs?: number;
  /** Kysely query logging. */
  log?: LogConfig;
  /**
   * Errors of pooled connections the server ended (e.g. it restarted), idle or lent out between
   * two queries. The pool drops the broken connection either way; without a listener node-pg
   * would crash the process.
   */
  onConnectionError?: (error: Error) => void;
  /**
   * The database role the pool acts as (e.g. `dg_ingest`): each new connection runs
   * `SET ROLE`, so the login of the URL must be that role or a member of it. Such a pool is
   * tenant-scoped: every time it hands out a connection it sets `dg.org_id` to the organization
   * of the current {@link runAsOrg} scope (empty outside one: no tenant rows).
   */
  role?: string;
}

/** A Kysely instance over a node-pg Pool for `url`. `db.destroy()` ends the pool. */
export function createDb(url: string, opts: CreateDbOptions = {}): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? 'driftguard',
    types: typeParsers,
    ...(opts.statementTimeoutMs === undefined ? {} : { statement_timeout: opts.statementTimeoutMs }),
  });
  // pg-pool listens for the errors of idle connections only (and re-emits them here, so this
  // listener must exist). A connection lent out between two queries — a transaction awaiting other
  // work when PostgreSQL shuts down — gets its 'error' event with no listener, which would end the
  // process: each connection listens itself, from its creation. Its next query then fails, and
  // pg-pool discards it when it is released.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', (error) => opts.onConnectionError?.(error)));
  const role = opts.role;
  const scoping =
    role === undefined
      ? {}
      : {
          onCreateConnection: async (connection: DatabaseConnection) => {
            await connection.executeQuery(CompiledQuery.raw(`SET ROLE ${pg.escapeIdentifier(role)}`));
          },
          // Session-level, and set on every hand-out, so no connection carries one unit of
          // work's organization into the next.
          onReserveConnection: async (connection: DatabaseConnection) => {
            await connection.executeQuery(
              CompiledQuery.raw(`SELECT set_config('dg.org_id', $1, false)`, [String(currentOrg() ?? '')]),
            );
          },
        };
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool, ...scoping }),
    ...(opts.log === undefined ? {} : { log: opts.log }),
  });
}
