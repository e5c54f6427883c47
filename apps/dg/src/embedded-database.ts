import { createHash } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Database, EmbeddedPostgres, PgliteServer } from '@driftguard/db';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { UsageError } from './cli-errors.js';

/** Where `dg up` keeps its embedded PostgreSQL when no DATABASE_URL is set. */
export const EMBEDDED_DATA_DIR = '.dg-data';
const LOCK_FILE = 'dg.pid';
/** Written by the process that serves the database to others: its pid and the connection URL. */
const SHARE_FILE = 'dg.share.json';
/** Longest Unix socket path Linux and macOS accept, with room to spare. */
const MAX_SOCKET_PATH = 100;

const ShareRecord = z.object({ pid: z.number().int().positive(), url: z.string().min(1) });

export interface EmbeddedDatabase {
  db: Kysely<Database>;
  dataDir: string;
  /**
   * Serves the database to other `dg` processes (over a Unix socket private to this user) and
   * writes where into the data directory, so admin commands work while this process runs.
   */
  share(): Promise<void>;
  /** Stops sharing, closes PGlite and releases the lock; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Opens the embedded PGlite database in `<cwd>/.dg-data`. PGlite serves one process only, so a
 * pid file guards the directory; the process holding it may share the database with others
 * (`share`, as `dg up` does). A lock left by a process that no longer runs is taken over.
 */
export async function openEmbeddedDatabase(cwd: string): Promise<EmbeddedDatabase> {
  const dataDir = resolve(cwd, EMBEDDED_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const lock = tryLockDataDir(dataDir);
  if (lock.holder !== undefined) {
    throw new UsageError(
      `the embedded database in ${dataDir} is in use by another dg process (pid ${lock.holder}); stop it or set DATABASE_URL`,
    );
  }
  return openLocked(dataDir, lock.release);
}

/** Where an admin command finds the embedded database: opened by itself, or shared by `dg up`. */
export type EmbeddedTarget = { kind: 'own'; embedded: EmbeddedDatabase } | { kind: 'shared'; url: string; pid: number };

/**
 * The embedded database for an admin command. Free: opened here. Held by a process that shares
 * it (`dg up`): its connection URL. Held by one that does not share it yet (`dg up` starting, or
 * another admin command): waits up to `waitMs` for either to change.
 */
export async function reachEmbeddedDatabase(
  cwd: string,
  { waitMs = 180_000, onWait }: { waitMs?: number; onWait?: (pid: number) => void } = {},
): Promise<EmbeddedTarget> {
  const dataDir = resolve(cwd, EMBEDDED_DATA_DIR);
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    const lock = tryLockDataDir(dataDir);
    if (lock.holder === undefined) return { kind: 'own', embedded: await openLocked(dataDir, lock.release) };
    const shared = readShare(dataDir);
    if (shared && shared.pid === lock.holder) return { kind: 'shared', ...shared };
    if (Date.now() > deadline) {
      throw new UsageError(
        `the embedded database in ${dataDir} is held by dg process ${lock.holder}, which did not share it within ${Math.round(waitMs / 1000)} s`,
      );
    }
    if (!told) onWait?.(lock.holder);
    told = true;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function openLocked(dataDir: string, release: () => void): Promise<EmbeddedDatabase> {
  let opened: EmbeddedPostgres;
  try {
    const { openEmbeddedPostgres } = await import('@driftguard/db');
    opened = await openEmbeddedPostgres(dataDir);
  } catch (error) {
    release();
    throw error;
  }
  const sharePath = join(dataDir, SHARE_FILE);
  let server: PgliteServer | undefined;
  let closed: Promise<void> | undefined;
  return {
    db: opened.db,
    dataDir,
    async share() {
      const { embeddedDatabaseUrl, EMBEDDED_SOCKET_NAME } = await import('@driftguard/db');
      const socketDir = socketDirFor(dataDir);
      server = await opened.serve({ socketPath: join(socketDir, EMBEDDED_SOCKET_NAME) });
      writeFileSync(sharePath, JSON.stringify({ pid: process.pid, url: embeddedDatabaseUrl(socketDir) }), { mode: 0o600 });
    },
    close: () =>
      (closed ??= (async () => {
        rmSync(sharePath, { force: true });
        try {
          await server?.close();
        } finally {
          await opened.db.destroy().finally(release);
        }
      })()),
  };
}

/**
 * The socket's directory: the data directory itself, or, when its path is too long for a Unix
 * socket, a directory of this user's alone under the system's temporary directory.
 */
function socketDirFor(dataDir: string): string {
  if (Buffer.byteLength(join(dataDir, '.s.PGSQL.5432')) <= MAX_SOCKET_PATH) return dataDir;
  const dir = join(tmpdir(), `dg-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || stat.uid !== process.getuid?.() || (stat.mode & 0o077) !== 0)
    throw new UsageError(`${dir} is not a directory of this user alone; cannot serve the embedded database there`);
  return dir;
}

function readShare(dataDir: string): z.infer<typeof ShareRecord> | undefined {
  try {
    const parsed = ShareRecord.safeParse(JSON.parse(readFileSync(join(dataDir, SHARE_FILE), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // absent, or being written
  }
}

function tryLockDataDir(dataDir: string): { release: () => void; holder?: undefined } | { holder: number } {
  const lockPath = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { release: () => rmSync(lockPath, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let text: string;
      try {
        text = readFileSync(lockPath, 'utf8').trim();
      } catch {
        continue; // released in between
      }
      const holder = Number(text);
      if (text !== '' && Number.isInteger(holder) && holder > 0 && isRunning(holder)) return { holder };
      // The pid is written right after the file is created: an empty file is read again before it counts as stale.
      if (text === '' && attempt < 2) continue;
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
