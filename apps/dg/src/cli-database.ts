import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Database } from '@driftguard/db';
import { baseConfigSchema, ConfigError, parseConfig } from '@driftguard/runtime/boot';
import type { Kysely } from 'kysely';
import type { CliContext } from './cli-context.js';
import { EMBEDDED_DATA_DIR, openEmbeddedDatabase } from './embedded-database.js';

/** Variables the admin commands read; the same names and rules as the services'. */
export function cliConfig(ctx: CliContext) {
  return parseConfig(baseConfigSchema, ctx.env);
}

/**
 * Runs `fn` with a database for an admin command and closes it afterwards: DATABASE_URL when
 * set, else the embedded database of `dg up` in ./.dg-data when it exists (and `dg up` is not
 * running on it).
 */
export async function withDatabase<T>(ctx: CliContext, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  const cfg = cliConfig(ctx);
  if (cfg.DATABASE_URL) {
    const { createDb } = await import('@driftguard/db');
    const db = createDb(cfg.DATABASE_URL, { max: 2, applicationName: 'driftguard-cli' });
    try {
      return await fn(db);
    } finally {
      await db.destroy();
    }
  }
  if (!existsSync(resolve(ctx.cwd, EMBEDDED_DATA_DIR))) {
    throw new ConfigError([
      {
        variable: 'DATABASE_URL',
        reason: `required (or run \`dg up\` once to create the embedded database in ./${EMBEDDED_DATA_DIR})`,
      },
    ]);
  }
  const embedded = await openEmbeddedDatabase(ctx.cwd);
  try {
    return await fn(embedded.db);
  } finally {
    await embedded.close();
  }
}
