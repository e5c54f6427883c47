import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import pg from 'pg';
import { createDb } from './client.js';
import { MigrationError } from './errors.js';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema/index.js';
import { ensureDatabase } from './server.js';
import { applyServiceGrants, SERVICE_ROLES } from './service-roles.js';

/** What {@link migrate} does: apply all pending, revert the latest one, or only report. */
export type MigrateDirection = 'up' | 'down' | 'status';

/** One known migration and when it ran (null: pending). */
export interface MigrationStatus {
  name: string;
  executedAt: Date | null;
}

/** Outcome of {@link migrate}, for the CLI to print. */
export interface MigrateResult {
  direction: MigrateDirection;
  /** True when this call created the database. */
  createdDatabase: boolean;
  /** Migrations run by this call: applied ('up') or reverted ('down'), in execution order. */
  applied: string[];
  /** Every known migration after this call. */
  status: MigrationStatus[];
  /** Service roles whose grants this call (re)applied ('up' on PostgreSQL; none otherwise). */
  grantedRoles: string[];
}

/** Serializes DriftGuard migrations of one database across processes (session advisory lock). */
const MIGRATE_LOCK_KEY = 0x44470001;

/**
 * Creates the database `url` names if missing, then migrates it under an advisory lock, so
 * several `migrate` runs (even against a database that does not exist yet) all succeed and apply
 * each migration once, then (re)applies the service roles' grants (applyServiceGrants). Throws
 * MigrationError when a migration fails.
 */
export async function migrate(url: string, direction: MigrateDirection): Promise<MigrateResult> {
  const createdDatabase = await ensureDatabase(url);
  const lock = new pg.Client({ connectionString: url, application_name: 'driftguard-migrate' });
  lock.on('error', () => undefined);
  await lock.connect();
  const db = createDb(url, { max: 2, applicationName: 'driftguard-migrate' });
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK_KEY]);
    const result = await runMigrator(db, direction);
    // Grants follow the ownership map, not a frozen migration: re-applied on every run, so new
    // tables and columns get theirs (the embedded database runs as one role and skips this).
    if (direction === 'up') await applyServiceGrants(db);
    return { createdDatabase, ...result, grantedRoles: direction === 'up' ? Object.values(SERVICE_ROLES) : [] };
  } finally {
    await db.destroy();
    await lock.end().catch(() => undefined); // ending the session releases the lock
  }
}

/** Migrates the embedded database, opened directly or through `dg up`'s socket (one session and one role: no lock, no grants). */
export async function migratePglite(db: Kysely<Database>, direction: MigrateDirection = 'up'): Promise<MigrateResult> {
  return { createdDatabase: false, ...(await runMigrator(db, direction)), grantedRoles: [] };
}

async function runMigrator(
  db: Kysely<Database>,
  direction: MigrateDirection,
): Promise<Omit<MigrateResult, 'createdDatabase' | 'grantedRoles'>> {
  // Unordered: a migration merged later under an earlier number (e.g. 0003 after 0004 ran in a
  // developer's database) still runs instead of blocking every later one.
  const migrator = new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true });
  let applied: string[] = [];
  if (direction !== 'status') {
    const resultSet = direction === 'up' ? await migrator.migrateToLatest() : await migrator.migrateDown();
    if (resultSet.error !== undefined) throw failure(resultSet);
    applied = (resultSet.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  }
  const status = (await migrator.getMigrations()).map((m) => ({ name: m.name, executedAt: m.executedAt ?? null }));
  return { direction, applied, status };
}

function failure(resultSet: MigrationResultSet): MigrationError {
  const failed = resultSet.results?.find((r) => r.status === 'Error')?.migrationName ?? null;
  const cause = resultSet.error;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new MigrationError('migration_failed', `migration ${failed ?? '(setup)'} failed: ${reason}`, failed, { cause });
}
