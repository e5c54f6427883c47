import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Database } from '@driftguard/db';
import { baseConfigSchema, ConfigError, parseConfig } from '@driftguard/runtime/boot';
import type { Kysely } from 'kysely';
import { type CliContext, writeLine } from './cli-context.js';
import { EMBEDDED_DATA_DIR, reachEmbeddedDatabase } from './embedded-database.js';
import { EMBEDDED_MASTER_KEY_FILE } from './embedded-master-key.js';

/**
 * Variables the admin commands read; the same names and rules as the services'. Without
 * DATABASE_URL and DG_MASTER_KEY, the embedded database's own master key (the one `dg up` uses)
 * stands in for DG_MASTER_KEY, so secrets an admin command stores decrypt in `dg up`.
 */
export function cliConfig(ctx: CliContext) {
  const cfg = parseConfig(baseConfigSchema, ctx.env);
  if (cfg.DATABASE_URL || cfg.DG_MASTER_KEY) return cfg;
  const keyPath = join(resolve(ctx.cwd, EMBEDDED_DATA_DIR), EMBEDDED_MASTER_KEY_FILE);
  if (!existsSync(keyPath)) return cfg;
  return parseConfig(baseConfigSchema, { ...ctx.env, DG_MASTER_KEY: readFileSync(keyPath, 'utf8').trim() });
}

/** Where an admin command's database is: DATABASE_URL, or the embedded one of `dg up`. */
export interface DatabaseTarget {
  /** True on the embedded database (opened by the command, or shared by a running `dg up`). */
  embedded: boolean;
  /** The connection URL, when the command reaches the database through one (DATABASE_URL, or `dg up`'s socket). */
  url: string | undefined;
}

/**
 * Runs `fn` with a database for an admin command and closes it afterwards: DATABASE_URL when
 * set, else the embedded database in ./.dg-data (created by `dg up`): through `dg up`'s socket
 * while it runs, else opened by the command itself.
 */
export async function withDatabase<T>(
  ctx: CliContext,
  fn: (db: Kysely<Database>, target: DatabaseTarget) => Promise<T>,
): Promise<T> {
  const cfg = cliConfig(ctx);
  const { createDb } = await import('@driftguard/db');
  const overUrl = async (url: string, embedded: boolean) => {
    // One connection on the embedded database: it has one session, which a second connection
    // of the same command would wait for while the first holds a transaction.
    const db = createDb(url, { max: embedded ? 1 : 2, applicationName: 'driftguard-cli' });
    try {
      return await fn(db, { embedded, url });
    } finally {
      await db.destroy();
    }
  };
  if (cfg.DATABASE_URL) return overUrl(cfg.DATABASE_URL, false);
  if (!existsSync(resolve(ctx.cwd, EMBEDDED_DATA_DIR))) {
    throw new ConfigError([
      {
        variable: 'DATABASE_URL',
        reason: `required (or run \`dg up\` once to create the embedded database in ./${EMBEDDED_DATA_DIR})`,
      },
    ]);
  }
  const target = await reachEmbeddedDatabase(ctx.cwd, {
    onWait: (pid) => writeLine(ctx.stderr, `waiting for dg process ${pid} to open the embedded database to other commands…`),
  });
  if (target.kind === 'shared') return overUrl(target.url, true);
  try {
    return await fn(target.embedded.db, { embedded: true, url: undefined });
  } finally {
    await target.embedded.close();
  }
}
