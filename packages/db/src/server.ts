import pg from 'pg';

/** SQLSTATEs of losing a CREATE DATABASE race: duplicate_database, unique_violation. */
const DUPLICATE_DATABASE = new Set(['42P04', '23505']);

/** The database named in a connection URL (null when the URL names none). */
export function databaseNameOf(url: string): string | null {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  return name === '' ? null : name;
}

/** `url` with its database replaced by `name` (credentials, host and parameters kept). */
export function withDatabase(url: string, name: string): string {
  const next = new URL(url);
  next.pathname = `/${encodeURIComponent(name)}`;
  return next.toString();
}

/** Runs `fn` with a short-lived client on the server's `postgres` maintenance database. */
export async function withMaintenanceClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(url, 'postgres'), application_name: 'driftguard-admin' });
  client.on('error', () => undefined); // a dropped admin connection surfaces on the next query
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Creates the database `url` names unless it exists. Safe under concurrency: losing the race to
 * another creator counts as "exists". Returns whether this call created it.
 */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = databaseNameOf(url);
  if (name === null || name === 'postgres') return false;
  return withMaintenanceClient(url, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount !== 0) return false;
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      return true;
    } catch (error) {
      if (DUPLICATE_DATABASE.has((error as { code?: string }).code ?? '')) return false;
      throw error;
    }
  });
}

/** Drops the database `url` names, disconnecting its sessions (PostgreSQL 13+). */
export async function dropDatabase(url: string): Promise<void> {
  const name = databaseNameOf(url);
  if (name === null || name === 'postgres') throw new Error('refusing to drop the maintenance database');
  await withMaintenanceClient(url, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  });
}
