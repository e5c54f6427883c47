import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Database } from '@driftguard/db';
import type { Kysely } from 'kysely';
import { UsageError } from './cli-errors.js';

/** Where `dg up` keeps its embedded PostgreSQL when no DATABASE_URL is set. */
export const EMBEDDED_DATA_DIR = '.dg-data';
const LOCK_FILE = 'dg.pid';

export interface EmbeddedDatabase {
  db: Kysely<Database>;
  dataDir: string;
  /** Closes PGlite and releases the lock; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Opens the embedded PGlite database in `<cwd>/.dg-data`. PGlite serves one process only, so a
 * pid file guards the directory: a second `dg` process gets a clear error instead of a
 * corrupted database. A lock left by a process that no longer runs is taken over.
 */
export async function openEmbeddedDatabase(cwd: string): Promise<EmbeddedDatabase> {
  const dataDir = resolve(cwd, EMBEDDED_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const release = lockDataDir(dataDir);
  let db: Kysely<Database>;
  try {
    const { createPgliteDb } = await import('@driftguard/db');
    db = await createPgliteDb(dataDir);
  } catch (error) {
    release();
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    db,
    dataDir,
    close: () => (closed ??= db.destroy().finally(release)),
  };
}

function lockDataDir(dataDir: string): () => void {
  const lockPath = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockPath, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
        throw new UsageError(
          `the embedded database in ${dataDir} is in use by another dg process (pid ${holder}); stop it or set DATABASE_URL`,
        );
      }
      rmSync(lockPath, { force: true }); // stale: its process is gone
    }
  }
  throw new UsageError(`could not lock ${dataDir}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
